"""What a simulation returns, and the input handling shared by the simulators.

Records (:class:`Trajectory`) are taken at chosen times/steps: ``L``, ``L_R``,
``||grad L_R||``, the product ``pi = prod_l W_l`` and the balancing gaps
``||W_{l+1}^2 - W_l^2||_F`` for every ``l`` (Theorems 4.1 and 4.3).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..validation import check_eta, check_vector, check_weights
from .batched_model import balancing_gaps, batch_grad, batch_loss, batch_marginalized_loss

__all__ = ["Trajectory", "record", "records_from_weights", "as_batch", "validated_problem", "progress_bar"]


def progress_bar(total, desc, enabled):
    """A tqdm progress bar on stderr (``disable=None``: only on a terminal), or ``None``."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a declared dependency
        return None
    return tqdm(total=total, desc=desc, disable=None, leave=False)


def as_batch(W0, name="W0"):
    """``(K, L, d)`` float array and whether the input was batched."""
    arr = np.asarray(W0, dtype=float) if not (isinstance(W0, np.ndarray) and W0.dtype == object) else W0
    if arr.ndim == 2:
        check_weights(arr, name)
        return arr[None].astype(float), False
    if arr.ndim == 3:
        if arr.shape[0] < 1:
            raise ValueError(f"{name} must hold at least one run, got shape {arr.shape}")
        check_weights(arr[0], name)  # shape checks; finiteness below for the whole batch
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
        return arr.astype(float), True
    raise ValueError(f"{name} must have shape (depth, width) or (runs, depth, width), got shape {arr.shape}")


def validated_problem(W0, wstar, eta, eta_zero=True):
    """``(Wb (K, L, d), batched, wstar, eta)`` after validating a deterministic simulator's inputs."""
    Wb, batched = as_batch(W0)
    wstar = check_vector(wstar, "wstar", length=Wb.shape[2])
    eta = float(check_eta(eta, allow_zero=eta_zero))
    return Wb, batched, np.asarray(wstar, dtype=float), eta


def record(Wb, wstar, eta) -> dict:
    """The recorded quantities at weights ``Wb`` (K, L, d): a dict of arrays with leading K axis."""
    g = batch_grad(Wb, wstar, eta)
    return {
        "loss": batch_loss(Wb, wstar),
        "marginalized_loss": batch_marginalized_loss(Wb, wstar, eta),
        "grad_norm": np.sqrt(np.sum(g * g, axis=(-2, -1))),
        "product": np.prod(Wb, axis=-2),
        "balancing_gap": balancing_gaps(Wb),
    }


def records_from_weights(weights, wstar, eta):
    """:func:`record` at every recorded weight ``weights`` (R, K, L, d): arrays with leading (R, K) axes."""
    R, K = weights.shape[:2]
    flat = weights.reshape((R * K,) + weights.shape[2:])
    rec = record(flat, wstar, eta)
    return {k: v.reshape((R, K) + v.shape[1:]) for k, v in rec.items()}


@dataclass
class Trajectory:
    """Records of one simulation.

    ``times``: the recorded times (flow) or step indices (recursions), shape (R,).
    ``weights``: the weights at each record, shape (R, K, L, d).
    ``records``: dict of arrays with shape (R, K, ...): ``loss``, ``marginalized_loss``,
    ``grad_norm``, ``product`` (R, K, d), ``balancing_gap`` (R, K, L-1).
    ``batched``: False when the input was a single start (then K = 1; see :meth:`run`).
    ``info``: solver/step details (step sizes, tolerances, seeds, error estimates).
    """

    times: np.ndarray
    weights: np.ndarray
    records: dict
    batched: bool
    info: dict = field(default_factory=dict)

    @property
    def final_weights(self) -> np.ndarray:
        """Weights at the last record: (K, L, d) if batched, else (L, d)."""
        return self.weights[-1] if self.batched else self.weights[-1, 0]

    def run(self, k: int = 0) -> dict:
        """The records of run ``k`` as a dict of arrays without the K axis."""
        return {name: v[:, k] for name, v in self.records.items()}
