"""The inputs of the SGD-stability analysis: per-sample Hessians and the batch law.

Setting (Mulayoff & Michaeli 2024, seed ``004``, Defs 1-3).  Near a minimum with
per-sample Hessians ``H_i`` (PSD), ``H = mean_i H_i``, linearized SGD with step
``alpha`` and a batch ``B`` of ``n`` samples drawn uniformly *without replacement* is

    theta <- theta - alpha (H_B theta + g_B),   H_B = mean_{i in batch} H_i,

with ``g_i = 0`` at an interpolating minimum (Def 2) and ``mean_i g_i = 0`` at a
regular minimum (Def 3).  The Hessians come dense, ``(n, d, d)``, or rank-one,
``H_i = x_i x_i^T`` given by the features ``(n, d)``.  The batch enters the
second moment only through

    E[H_B (x) H_B] = (1-p) H (x) H + p mean_i H_i (x) H_i,   p = (n - B) / (B (n - 1))   (their eq 12),

from the pair inclusion probability ``B(B-1)/(n(n-1))`` of sampling without replacement.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..validation import check_int

__all__ = ["batch_p", "StabilityProblem", "problem", "as_problem", "normalized"]


def batch_p(n, B) -> float:
    """Mixture weight ``p = (n - B) / (B (n - 1))`` of their eq 12 (``p = 0`` when ``B = n``).

    ``E[H_B (x) H_B] = (1 - p) H (x) H + p mean_i H_i (x) H_i`` for a batch of ``B``
    of ``n`` samples drawn uniformly without replacement.
    """
    n = check_int(n, "n (number of samples)", minimum=1)
    B = check_int(B, "batch", minimum=1, maximum=n)
    if B == n:
        return 0.0
    return (n - B) / (B * (n - 1))


@dataclass
class StabilityProblem:
    """Per-sample Hessians of a minimum, dense ``(n, d, d)`` or rank-one ``H_i = x_i x_i^T``.

    Exactly one of ``hessians`` (shape ``(n, d, d)``) and ``features`` (shape
    ``(n, d)``, meaning ``H_i = x_i x_i^T``) is set.  Build it with :func:`problem`.
    """

    hessians: np.ndarray | None
    features: np.ndarray | None

    @property
    def n(self) -> int:
        return (self.hessians if self.hessians is not None else self.features).shape[0]

    @property
    def d(self) -> int:
        return (self.hessians if self.hessians is not None else self.features).shape[1]

    def mean_hessian(self) -> np.ndarray:
        """``H = mean_i H_i``."""
        if self.hessians is not None:
            return self.hessians.mean(axis=0)
        X = self.features
        return X.T @ X / X.shape[0]

    def mean_sandwich(self, S: np.ndarray) -> np.ndarray:
        """``mean_i H_i S H_i`` for a symmetric ``S`` (``O(n d^2)`` in the rank-one case)."""
        if self.hessians is not None:
            Hs = self.hessians
            return (Hs @ S @ Hs).mean(axis=0)  # batched matmul: ~10x faster than einsum for small d
        X = self.features
        q = np.einsum("ij,ij->i", X @ S, X)
        return (X.T * q) @ X / X.shape[0]

    def dense(self) -> np.ndarray:
        """The ``(n, d, d)`` stack of ``H_i`` (forms rank-one Hessians explicitly)."""
        if self.hessians is not None:
            return self.hessians
        X = self.features
        return X[:, :, None] * X[:, None, :]


def _real_array(a, name: str) -> np.ndarray:
    """``a`` as a float array; ``ValueError`` naming ``name`` for complex, boolean, text or object entries.

    (``np.asarray(complex_array, dtype=float)`` would drop the imaginary parts with only a warning.)
    """
    arr = np.asarray(a)
    if arr.dtype.kind not in "iuf":
        kind = {"c": "complex", "b": "boolean", "O": "Python object", "U": "text", "S": "text"}.get(
            arr.dtype.kind, str(arr.dtype))
        raise ValueError(f"{name} must hold real numbers, got {kind} entries (dtype {arr.dtype})")
    return arr.astype(float, copy=False)


def _power_of_two_scale(largest: float) -> float:
    """A power of two ``s`` with ``largest / s`` in ``[0.5, 1)`` (``1`` for zero): scaling by it is exact."""
    return math.ldexp(1.0, math.frexp(largest)[1]) if largest > 0 else 1.0


def problem(hessians=None, features=None, psd_tol: float = 1e-10) -> StabilityProblem:
    """Validate per-sample Hessians (symmetric PSD, shape ``(n, d, d)``) or features ``(n, d)``.

    Features ``x_i`` stand for rank-one Hessians ``H_i = x_i x_i^T``: exact for the
    squared loss of a linear model, and the Gauss-Newton Hessian when ``x_i`` is the
    per-sample gradient of a model's output.  Raises ``ValueError`` naming the argument
    for a wrong shape, complex or non-numeric entries, non-finite entries, asymmetry or a
    negative eigenvalue below ``-psd_tol * max|H_i|``.  All-zero Hessians are valid
    (SGD is then stable for every step size: :func:`~numeric.stability.threshold` returns
    ``inf``).
    """
    if (hessians is None) == (features is None):
        raise ValueError("give exactly one of hessians (n, d, d) and features (n, d)")
    if features is not None:
        X = _real_array(features, "features")
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"features must have shape (n, d) with n, d >= 1, got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("features must be finite")
        return StabilityProblem(None, X)
    Hs = _real_array(hessians, "hessians")
    if Hs.ndim != 3 or Hs.shape[1] != Hs.shape[2] or Hs.shape[0] < 1 or Hs.shape[1] < 1:
        raise ValueError(f"hessians must have shape (n, d, d) with n, d >= 1, got {Hs.shape}")
    if not np.all(np.isfinite(Hs)):
        raise ValueError("hessians must be finite")
    scale = _power_of_two_scale(float(np.abs(Hs).max()))
    unit = Hs / scale  # exact; entries in [-1, 1): the checks below cannot overflow
    if np.abs(unit - np.swapaxes(unit, 1, 2)).max() > 1e-10:
        raise ValueError("hessians must be symmetric matrices H_i = H_i^T")
    unit = (unit + np.swapaxes(unit, 1, 2)) / 2
    if np.linalg.eigvalsh(unit).min() < -psd_tol:
        raise ValueError("hessians must be positive semi-definite (Def 2-3 of Mulayoff & Michaeli)")
    return StabilityProblem(unit * scale, None)


def normalized(prob: StabilityProblem) -> tuple[StabilityProblem, float]:
    """``(prob / s, s)``: the problem with every ``H_i`` divided by a power of two ``s`` so that
    ``max |H_i entries| < 1`` (exact), and ``s``.

    Thresholds scale as ``alpha*(s H) = alpha*(H) / s``; computing on the normalized
    problem keeps every intermediate (``H (x) H``, ``mean_i H_i S H_i``) far from float64
    overflow and underflow for any finite input.
    """
    if prob.hessians is not None:
        s = _power_of_two_scale(float(np.abs(prob.hessians).max()))
        return StabilityProblem(prob.hessians / s, None), s
    root = _power_of_two_scale(float(np.abs(prob.features).max()))  # H_i = x_i x_i^T scales as root^2
    return StabilityProblem(None, prob.features / root), root * root


def as_problem(prob) -> StabilityProblem:
    """``prob`` itself if a :class:`StabilityProblem`, else validated by :func:`problem`:
    an ``(n, d, d)`` array as Hessians, an ``(n, d)`` array as features."""
    if isinstance(prob, StabilityProblem):
        return prob
    arr = np.asarray(prob)
    return problem(hessians=arr) if arr.ndim == 3 else problem(features=arr)
