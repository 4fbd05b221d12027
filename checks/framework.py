"""The claim registry: claims, their evidence, and how they run.

A *claim* is one lemma or theorem of the paper, identified by the paper's label
(``lemma-2.2``, ``theorem-4.1``).  It carries a one-line title, a statement with
formulas, the equations it covers, notes (including any correction of the spec
found by derivation), and *methods*: functions that each produce
:class:`Evidence`.  The four kinds of method are

* ``symbolic``: an exact SymPy identity from :mod:`derivations`;
* ``high-precision``: the numeric implementation against an mpmath or exact value;
* ``monte-carlo``: a statistical test with a declared false-failure probability
  and a reported detectable discrepancy (:mod:`checks.stats`);
* ``negative-control``: deliberately wrong variants run through the same check,
  which must reject every one of them (the evidence passes iff all are rejected).

A claim passes iff every method's evidence passes.  Claim modules register
themselves with :func:`claim` at import; :func:`load_claims` imports every
module of the :mod:`checks` package, so a new claim needs no edit elsewhere.

**False-failure budget.**  A claim may declare one family-wise false-failure
probability (``claim(..., false_failure_budget=1e-6)``) and spend it explicitly:
``ALPHA_X = my_claim.allocate("x", 0.25)`` reserves a quarter of it for the
statistical evidence ``x`` (an error if the shares exceed the budget).  Each
piece of evidence states in ``detail["false_failure_probability"]`` the
probability that it fails although the claim is true (a test's level, a
near miss's failure probability; a negative control's *miss* probability is a
type II error, reported as ``control_miss_probability`` and not spent) and in
``detail["budget_share"]`` the share it spends.  :func:`run_claim` adds them up
(union bound) into :attr:`ClaimResult.false_failure`; an opted-in claim whose
evidence spends more than a share, or names an unknown share, gets an
``error`` verdict, and so does one whose Monte Carlo or negative-control evidence
declares no ``false_failure_probability`` at all (0 is a declaration).  A
deterministic claim declares ``false_failure_budget=0`` (:data:`DETERMINISTIC`):
its evidence may spend nothing.  Every claim of the suite declares a budget
(``tests/test_false_failure_budget.py``); claims that do not (scratch claims in
tests) are reported with the sum of what their evidence declares.
"""
from __future__ import annotations

import importlib
import pkgutil
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Evidence", "Claim", "RunContext", "ClaimResult", "claim", "method", "registry", "load_claims",
           "get_claim", "run_claim", "METHOD_KINDS", "to_jsonable", "FalseFailureBudget", "false_failure_summary",
           "DEFAULT_FALSE_FAILURE_BUDGET", "DETERMINISTIC"]

#: The family-wise false-failure probability a claim may spend by default (``claim(..., false_failure_budget=)``).
DEFAULT_FALSE_FAILURE_BUDGET = 1e-6
#: The budget of a deterministic claim (symbolic, high-precision and proved evidence only): it may spend nothing.
DETERMINISTIC = 0.0

METHOD_KINDS = ("symbolic", "high-precision", "monte-carlo", "negative-control")


@dataclass
class Evidence:
    """One piece of evidence: the method kind, a verdict and the numbers behind it.

    ``detail`` holds plain JSON-serialisable data (sample sizes, statistics,
    tolerances, seeds, seconds, and for negative controls the list of variants
    with whether each was rejected).
    """

    method: str
    passed: bool
    detail: dict = field(default_factory=dict)
    name: str = ""

    def to_json(self) -> dict:
        return {"method": self.method, "name": self.name, "passed": bool(self.passed),
                "detail": to_jsonable(self.detail)}


@dataclass
class RunContext:
    """How a claim runs: the base ``seed``, ``quick`` (smaller samples) or ``thorough``."""

    seed: int = 0
    quick: bool = False
    thorough: bool = False

    def size(self, default: int, quick: int | None = None, thorough: int | None = None) -> int:
        """Pick a sample size for the mode: ``quick`` < default < ``thorough``."""
        if self.quick and quick is not None:
            return quick
        if self.thorough and thorough is not None:
            return thorough
        return default

    def depths(self, deepest: int, quick: int, thorough: int | None = None) -> range:
        """The depths ``L = 2..deepest`` a check covers (``2..quick`` in a quick run, ``2..thorough`` in a
        thorough one when given)."""
        return range(2, self.size(deepest, quick=quick, thorough=thorough) + 1)

    def seed_for(self, salt: str) -> int:
        """A reproducible seed for one method, derived from the base seed and a label."""
        import zlib

        return (int(self.seed) * 1_000_003 + zlib.crc32(salt.encode())) % (2**32)


@dataclass
class FalseFailureBudget:
    """A claim's family-wise false-failure probability ``total`` and its explicit ``shares`` (name -> probability).

    ``total = 0``: a deterministic claim, which allocates nothing and whose evidence may declare nothing.
    """

    total: float
    shares: dict = field(default_factory=dict)

    def __post_init__(self):
        if not (isinstance(self.total, (int, float)) and 0 <= self.total < 1):
            raise ValueError(f"false_failure_budget must be in [0, 1), got {self.total!r}")

    @property
    def deterministic(self) -> bool:
        """Whether the claim declared a budget of 0."""
        return self.total == 0

    @property
    def allocated(self) -> float:
        """The probability reserved so far (sum of the shares)."""
        return float(sum(self.shares.values()))

    def allocate(self, name: str, fraction: float) -> float:
        """Reserve ``fraction`` of the total for the evidence ``name``; returns that probability.

        Re-allocating a name replaces its share (module reload).  The shares may not exceed the total.
        """
        if self.deterministic:
            raise ValueError("a deterministic claim (false_failure_budget=0) has no share to allocate")
        if not (isinstance(fraction, (int, float)) and 0 < fraction <= 1):
            raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
        probability = float(fraction) * self.total
        others = sum(v for k, v in self.shares.items() if k != name)
        if others + probability > self.total * (1 + 1e-12):
            raise ValueError(f"false-failure shares exceed the budget {self.total:g}: {others:g} already "
                             f"allocated, {name!r} asks for {probability:g}")
        self.shares[name] = probability
        return probability

    def to_json(self) -> dict:
        return {"total": self.total, "shares": dict(self.shares)}


@dataclass
class Claim:
    """A lemma or theorem: id (paper label), title, statement, equations, notes, methods.

    ``budget``: the :class:`FalseFailureBudget` of a claim that declared one (``None`` otherwise).
    """

    id: str
    title: str
    statement: str
    equations: tuple = ()
    notes: str = ""
    section: str = ""
    methods: list = field(default_factory=list)  # list of (kind, name, fn)
    budget: FalseFailureBudget | None = None

    def allocate(self, name: str, fraction: float) -> float:
        """Spend ``fraction`` of the claim's false-failure budget on the evidence ``name`` (see :class:`FalseFailureBudget`)."""
        if self.budget is None:
            raise ValueError(f"claim {self.id!r} declared no false_failure_budget")
        return self.budget.allocate(name, fraction)

    def method(self, kind: str, name: str | None = None):
        """Decorator registering ``fn(ctx) -> Evidence | list[Evidence]`` as a method."""
        if kind not in METHOD_KINDS:
            raise ValueError(f"method kind must be one of {METHOD_KINDS}, got {kind!r}")

        def deco(fn: Callable):
            self.methods.append((kind, name or fn.__name__, fn))
            return fn

        return deco

    def to_json(self) -> dict:
        out = {"id": self.id, "title": self.title, "statement": self.statement,
               "equations": list(self.equations), "notes": self.notes, "section": self.section,
               "methods": sorted({k for k, _, _ in self.methods})}
        if self.budget is not None:
            out["false_failure_budget"] = self.budget.to_json()
        return out


_REGISTRY: dict[str, Claim] = {}
_ORDER_KEY: dict[str, tuple] = {}


def _prose(text: str) -> str:
    """A prose block (a string that starts with a newline, written as indented lines) joined into one line;
    any other string is kept as written (its own line breaks are part of it)."""
    return " ".join(text.split()) if text.startswith("\n") else text


def claim(id: str, title: str, statement: str, equations=(), notes: str = "", section: str = "",
          order: float = 0.0, false_failure_budget: float | None = None) -> Claim:
    """Create and register a claim; re-registering an id replaces it (module reload).

    ``false_failure_budget``: opt in to one family-wise false-failure probability for the claim
    (e.g. :data:`DEFAULT_FALSE_FAILURE_BUDGET`), spent with :meth:`Claim.allocate`; :data:`DETERMINISTIC`
    (0) for a claim without statistical evidence.
    """
    budget = None if false_failure_budget is None else FalseFailureBudget(float(false_failure_budget))
    c = Claim(id=id, title=title, statement=_prose(statement), equations=tuple(equations), notes=_prose(notes),
              section=section, budget=budget)
    _REGISTRY[id] = c
    _ORDER_KEY[id] = (order, id)
    return c


def method(c: Claim, kind: str, name: str | None = None):
    """Functional form of :meth:`Claim.method`."""
    return c.method(kind, name)


_FRAMEWORK_MODULES = {"framework", "stats", "__init__", "__main__"}


def load_claims() -> None:
    """Import every module of the ``checks`` package and its sub-packages so their claims register.

    Claim modules live in sub-packages by paper section (``checks/section4/theorem_4_3.py``);
    helper modules beside them (shared instances, cached runs) are imported too and simply
    register nothing.  Modules whose name starts with ``_`` are skipped.
    """
    import checks

    for info in sorted(pkgutil.walk_packages(checks.__path__, prefix="checks."), key=lambda i: i.name):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf in _FRAMEWORK_MODULES or leaf.startswith("_"):
            continue
        importlib.import_module(info.name)


def registry() -> list[Claim]:
    """All registered claims, in the paper's order."""
    load_claims()
    return [_REGISTRY[k] for k in sorted(_REGISTRY, key=lambda k: _ORDER_KEY[k])]


def get_claim(claim_id: str) -> Claim:
    """The claim with this id, or ``ValueError`` listing the known ids."""
    load_claims()
    if claim_id not in _REGISTRY:
        known = ", ".join(c.id for c in registry())
        raise ValueError(f"claims: unknown claim id {claim_id!r}; known ids: {known}")
    return _REGISTRY[claim_id]


@dataclass
class ClaimResult:
    """The outcome of running one claim.

    ``false_failure``: :func:`false_failure_summary` of its evidence: ``probability`` (the union
    bound over the evidence: the probability that the claim fails although it is true), the
    ``budget`` (``None`` if the claim did not declare one) and what each share spent.
    """

    id: str
    verdict: str  # "pass" | "fail" | "error"
    seconds: float
    evidence: list
    false_failure: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"id": self.id, "verdict": self.verdict, "seconds": round(self.seconds, 3),
                "false_failure": to_jsonable(self.false_failure),
                "evidence": [e.to_json() for e in self.evidence]}


def _declared_probability(detail, key="false_failure_probability") -> float:
    value = detail.get(key, 0.0) if isinstance(detail, dict) else 0.0
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return value if value > 0 else 0.0


def false_failure_summary(evidence, budget: FalseFailureBudget | None = None) -> dict:
    """The claim's false-failure probability: the sum (union bound) of what its evidence declares.

    Returns ``{"probability", "control_miss_probability", "budget", "allocated", "by_evidence", "by_share",
    "overspent", "undeclared"}`` (``control_miss_probability``: the sum of the negative controls' miss
    probabilities, reported, not spent);
    with a ``budget``, ``overspent`` lists the shares whose evidence declares more than was allocated (and
    evidence naming no allocated share while declaring a positive probability), and ``undeclared`` the
    evidence that should declare a ``false_failure_probability`` and does not: Monte Carlo evidence, and
    negative-control evidence of a claim with a positive budget.
    """
    by_evidence, by_share, overspent, undeclared = {}, {}, [], []
    for ev in evidence:
        if budget is not None and isinstance(ev.detail, dict) and "error" not in ev.detail \
                and "false_failure_probability" not in ev.detail \
                and (ev.method == "monte-carlo" or (ev.method == "negative-control" and not budget.deterministic)):
            undeclared.append(f"{ev.method}/{ev.name}")
        p = _declared_probability(ev.detail)
        if p <= 0:
            continue
        key = f"{ev.method}/{ev.name}"
        by_evidence[key] = by_evidence.get(key, 0.0) + p
        if budget is not None:
            share = ev.detail.get("budget_share")
            by_share[str(share)] = by_share.get(str(share), 0.0) + p
    if budget is not None:
        for share, spent in by_share.items():
            if share not in budget.shares:
                overspent.append(f"evidence declares {spent:g} without an allocated share ({share!r})")
            elif spent > budget.shares[share] * (1 + 1e-9):
                overspent.append(f"share {share!r}: spent {spent:g} > allocated {budget.shares[share]:g}")
    total = float(sum(by_evidence.values()))
    misses = sum(_declared_probability(ev.detail, "control_miss_probability") for ev in evidence)
    return {"probability": total, "control_miss_probability": float(misses),
            "budget": None if budget is None else budget.total,
            "allocated": None if budget is None else dict(budget.shares),
            "by_evidence": by_evidence, "by_share": by_share or None, "overspent": overspent,
            "undeclared": undeclared}


def run_claim(c: Claim, ctx: RunContext | None = None, on_method=None) -> ClaimResult:
    """Run every method of ``c``; an exception in a method becomes an ``error`` verdict."""
    ctx = ctx or RunContext()
    t0 = time.perf_counter()
    evidence: list[Evidence] = []
    errored = False
    for kind, name, fn in c.methods:
        t1 = time.perf_counter()
        try:
            out = fn(ctx)
            items = out if isinstance(out, list) else [out]
            for ev in items:
                ev.method = ev.method or kind
                ev.name = ev.name or name
                ev.detail.setdefault("seconds", round(time.perf_counter() - t1, 3))
                evidence.append(ev)
        except Exception as exc:  # an error is a verdict, reported with its traceback
            errored = True
            evidence.append(Evidence(kind, False, {"error": f"{type(exc).__name__}: {exc}",
                                                   "traceback": traceback.format_exc(limit=4)},
                                     name=name))
        if on_method is not None:
            on_method(c, name)
    false_failure = false_failure_summary(evidence, c.budget)
    problems = ([f"false-failure budget overspent: {'; '.join(false_failure['overspent'])}"]
                if false_failure["overspent"] else [])
    if false_failure["undeclared"]:
        problems.append("evidence without a declared false_failure_probability: "
                        + ", ".join(false_failure["undeclared"]))
    if problems:
        errored = True
        evidence.append(Evidence("monte-carlo", False, {"error": "; ".join(problems)}, name="false-failure-budget"))
    if errored:
        verdict = "error"
    else:
        verdict = "pass" if evidence and all(e.passed for e in evidence) else "fail"
    return ClaimResult(c.id, verdict, time.perf_counter() - t0, evidence, false_failure)


def to_jsonable(x):
    """Convert NumPy/mpmath/SymPy scalars and arrays to plain JSON values."""
    import math

    import numpy as np

    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return to_jsonable(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        return v if math.isfinite(v) else str(v)
    if x is None or isinstance(x, str):
        return x
    try:
        v = float(x)
        return v if math.isfinite(v) else str(v)
    except (TypeError, ValueError):
        return str(x)
