"""The design of a sweep: which parameter points to compute, each with its own seed.

Axes are given as text, one per parameter:

* a list ``"2,3,4"`` or ``"0.1,0.5"``;
* a linear range ``"0.05:1.0:20"`` (start, stop, number of points, both ends included);
* a log range ``"0.01:10:30:log"``.

A **grid** design is the Cartesian product of the axes (the last axis varies
fastest); a **random** design draws ``points`` points, each coordinate uniformly
from its range (log-uniformly for a log range, uniformly from the list for a list),
with a generator seeded by the sweep's seed.  Point ``i`` gets the seed
``SeedSequence([seed, i])``: its numbers depend only on the sweep's seed and its
index, never on which worker computes it or when.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from numeric.validation import check_int

__all__ = ["Axis", "SweepDesign", "parse_axis", "point_seed", "MAX_POINTS", "MAX_AXIS_POINTS"]

#: The most points one sweep may have (the table and the scheduler's task graph grow with it).
MAX_POINTS = 1_000_000
#: The most values one range axis may have.
MAX_AXIS_POINTS = 10_000


@dataclass(frozen=True)
class Axis:
    """One swept parameter: ``name``, its ``kind`` (``list``, ``linear``, ``log``) and what defines it."""

    name: str
    kind: str
    values: tuple = ()  # the list, or (start, stop, count) of a range
    integer: bool = False

    def grid_values(self) -> list:
        """The values of this axis in a grid design."""
        if self.kind == "list":
            return list(self.values)
        start, stop, count = self.values
        points = (np.geomspace(start, stop, count) if self.kind == "log" else np.linspace(start, stop, count))
        return [float(v) for v in points]

    def random_values(self, rng: np.random.Generator, size: int) -> list:
        """``size`` values drawn for a random design."""
        if self.kind == "list":
            return [self.values[i] for i in rng.integers(0, len(self.values), size)]
        start, stop, _ = self.values
        if self.kind == "log":
            return [float(v) for v in np.exp(rng.uniform(math.log(start), math.log(stop), size))]
        return [float(v) for v in rng.uniform(start, stop, size)]

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "values": list(self.values), "integer": self.integer}


def _number(text: str, name: str, integer: bool):
    text = text.strip()
    if not text.isascii():
        raise ValueError(f"{name}: cannot parse {text!r} as a number (ASCII digits only)")
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise ValueError(f"{name}: cannot parse {text!r} as {kind}") from None
    if not integer and not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {text!r}")
    return value


def parse_axis(name: str, text: str, integer: bool = False, minimum=None, positive: bool = False) -> Axis:
    """An :class:`Axis` from its text (see the module docstring); ``ValueError`` naming ``name``.

    ``integer``: values must be integers (lists only); ``minimum``: every value ``>=`` it;
    ``positive``: every value ``> 0``.
    """
    text = str(text).strip()
    if not text:
        raise ValueError(f"{name}: give a list (2,3,4) or a range start:stop:count[:log]")
    if ":" in text:
        if integer:
            raise ValueError(f"{name}: give a list of integers such as 2,3,4 (ranges are for real parameters)")
        parts = text.split(":")
        log = len(parts) == 4 and parts[3].strip() == "log"
        if len(parts) not in (3, 4) or (len(parts) == 4 and not log):
            raise ValueError(f"{name}: a range is start:stop:count or start:stop:count:log, got {text!r}")
        start, stop = _number(parts[0], name, False), _number(parts[1], name, False)
        count = check_int(_number(parts[2], f"{name} (count)", True), f"{name} (count)", minimum=1,
                          maximum=MAX_AXIS_POINTS)
        values = (start, stop)
        if log and (start <= 0 or stop <= 0):
            raise ValueError(f"{name}: a log range needs start and stop > 0, got {text!r}")
        axis = Axis(name, "log" if log else "linear", (start, stop, count))
        checked = list(values)
    else:
        items = [_number(p, name, integer) for p in text.split(",")]
        if len(items) > MAX_AXIS_POINTS:
            raise ValueError(f"{name}: at most {MAX_AXIS_POINTS} values, got {len(items)}")
        axis = Axis(name, "list", tuple(items), integer)
        checked = items
    for v in checked:
        if minimum is not None and v < minimum:
            raise ValueError(f"{name}: every value must be >= {minimum}, got {v}")
        if positive and not v > 0:
            raise ValueError(f"{name}: every value must be > 0, got {v}")
    return axis


def point_seed(seed: int, index: int) -> int:
    """The seed of point ``index``: ``SeedSequence([seed, index])`` as a 32-bit integer."""
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0])


@dataclass(frozen=True)
class SweepDesign:
    """A sweep's points: ``axes`` combined as a ``grid`` or drawn as a ``random`` design of ``points``."""

    axes: tuple
    kind: str = "grid"
    points: int = 0  # random designs only
    seed: int = 0
    names: tuple = field(init=False, default=())

    def __post_init__(self):
        if self.kind not in ("grid", "random"):
            raise ValueError(f"design must be grid or random, got {self.kind!r}")
        object.__setattr__(self, "names", tuple(a.name for a in self.axes))
        if self.kind == "random":
            check_int(self.points, "points", minimum=1, maximum=MAX_POINTS)
        elif self.size() > MAX_POINTS:
            raise ValueError(f"the grid has {self.size()} points; at most {MAX_POINTS} "
                             "(use fewer values per axis, or --design random --points N)")

    def size(self) -> int:
        """The number of points."""
        if self.kind == "random":
            return int(self.points)
        return math.prod(len(a.grid_values()) for a in self.axes)

    def points_table(self) -> list[dict]:
        """Every point as ``{"point": i, "seed": ..., <axis>: value, ...}``, in index order."""
        if self.kind == "grid":
            combos = itertools.product(*(a.grid_values() for a in self.axes))
            rows = [dict(zip(self.names, combo)) for combo in combos]
        else:
            rng = np.random.default_rng(np.random.SeedSequence([int(self.seed), 2**31 - 1]))
            columns = {a.name: a.random_values(rng, self.points) for a in self.axes}
            rows = [{n: columns[n][i] for n in self.names} for i in range(self.points)]
        return [{"point": i, "seed": point_seed(self.seed, i), **row} for i, row in enumerate(rows)]

    def to_json(self) -> dict:
        return {"kind": self.kind, "points": self.size(), "seed": int(self.seed),
                "axes": [a.to_json() for a in self.axes]}
