"""Compiled kernels (numba) for the hot loops; the NumPy code stays the reference they are tested against.

The simulators and Monte Carlo estimators of :mod:`numeric` take ``engine="auto"``
(the default: numba when it is importable, else NumPy), ``"numba"`` or ``"numpy"``.
Both engines compute the same formulas; ``tests/test_kernels.py`` checks that they
agree (bit for bit where the operation order is the same, else to a stated
relative tolerance), so two independent implementations verify each other.

* :mod:`.descent`: gradient descent on ``L_R`` (eq 18) and on ``L``, whole runs;
* :mod:`.stochastic`: SGD / S-SAM / projected S-SAM steps on a block of draws (eqs 4, 6, 22);
* :mod:`.montecarlo`: noisy-gradient moments of a chunk of draws (Lemma 2.1), fused;
* :mod:`.flows`: the right-hand side of the gradient flow (eq 12).

``SSAM_VERIFY_ENGINE=numpy`` (or ``numba``) in the environment decides what ``"auto"`` means, for
a whole run: ``SSAM_VERIFY_ENGINE=numpy ssam-verify run`` runs every claim on the reference
(``docs/performance.md`` compares the two).

Kernels are compiled on first use and cached on disk (``cache=True``); they release
the GIL (``nogil=True``) so that NumPy can draw the next block of noise on the other
core while a kernel steps through the current one.
"""
from __future__ import annotations

import os

__all__ = ["NUMBA_AVAILABLE", "ENGINES", "resolve_engine"]

try:  # numba is a declared dependency; the NumPy reference keeps working without it
    import numba  # noqa: F401

    NUMBA_AVAILABLE = True
except ImportError:  # pragma: no cover - exercised only where numba is missing
    NUMBA_AVAILABLE = False

ENGINES = ("auto", "numba", "numpy")


def resolve_engine(engine: str) -> str:
    """``"numba"`` or ``"numpy"`` for the requested ``engine`` (``ValueError`` naming it otherwise)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "auto":
        chosen = os.environ.get("SSAM_VERIFY_ENGINE", "").strip().lower()
        if chosen not in ("", "auto", "numba", "numpy"):
            raise ValueError(f"SSAM_VERIFY_ENGINE must be auto, numba or numpy, got {chosen!r}")
        if chosen == "numpy" or not NUMBA_AVAILABLE:
            return "numpy"
        return "numba"
    if engine == "numba" and not NUMBA_AVAILABLE:
        raise ValueError("engine: numba is not installed (pip install numba), use engine='numpy'")
    return engine
