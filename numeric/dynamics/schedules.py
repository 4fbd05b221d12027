"""Step-size schedules of the recursions (Theorems 4.2-4.4) and the steps at which they are recorded.

``constant`` ``alpha_k = a``; ``harmonic`` ``alpha_k = a k0 / (k + k0)``;
``power`` ``alpha_k = a (k0/(k + k0))^p``, ``0.5 < p <= 1`` (Robbins-Monro:
``sum alpha_k = inf``, ``sum alpha_k^2 < inf``).
"""
from __future__ import annotations

import numpy as np

from ..validation import check_int, check_positive

__all__ = ["SCHEDULES", "step_sizes", "steps_to_record"]

SCHEDULES = ("constant", "harmonic", "power")


def step_sizes(n, a, schedule="constant", decay_start=1000, power=1.0) -> np.ndarray:
    """Step sizes ``alpha_0 .. alpha_{n-1}`` of a schedule (Theorems 4.2-4.4).

    * ``constant``: ``alpha_k = a``;
    * ``harmonic``: ``alpha_k = a k0 / (k + k0)`` with ``k0 = decay_start``;
    * ``power``: ``alpha_k = a (k0 / (k + k0))^p``, ``0.5 < p <= 1``.

    ``harmonic`` and ``power`` satisfy the Robbins-Monro conditions of Theorem 4.4.
    """
    n = check_int(n, "steps", minimum=0)
    a = float(check_positive(a, "step_size"))
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {schedule!r}")
    k = np.arange(n, dtype=float)
    if schedule == "constant":
        return np.full(n, a)
    k0 = float(check_int(decay_start, "decay_start", minimum=1))
    if schedule == "harmonic":
        return a * k0 / (k + k0)
    p = float(power)
    if not 0.5 < p <= 1.0:
        raise ValueError(f"power must be in (0.5, 1], got {power!r}")
    return a * (k0 / (k + k0)) ** p


def steps_to_record(steps, record_every, chosen_steps=None) -> list:
    """The sorted steps at which a recursion of ``steps`` steps is recorded.

    ``chosen_steps`` if given (each in ``[0, steps]``), else ``0, record_every, 2 record_every, ...``
    with the last step always included.
    """
    if chosen_steps is not None:
        rs = sorted({int(s) for s in chosen_steps})
        if not rs or rs[0] < 0 or rs[-1] > steps:
            raise ValueError(f"record_steps must lie in [0, {steps}]")
        return rs
    record_every = check_int(record_every, "record_every", minimum=1)
    rs = list(range(0, steps + 1, record_every))
    if rs[-1] != steps:
        rs.append(steps)
    return rs
