"""The two landscapes whose critical points are compared: the dense ``L_R`` and the paper's diagonal one.

Both expose the same interface over a flat parameter vector ``x`` with any leading batch axes, so the
same search, polish and measurement (:mod:`.critical_points`) run on both:

* ``size``: the number of parameters; ``layers(x)``: the weight matrices ``[W_1, .., W_L]``;
* ``value(x)``, ``gradient(x)`` (float64 batches, or one object array of ``mpmath.mpf``);
* ``balance_law_sides(layers)``: the two sides of what every critical point satisfies, by theorem: the
  dense balance law (eq D6, :func:`.network.weighted_balance_sides`) or, for the diagonal model, plain
  balance ``W_l^2 = W_{l+1}^2`` (the paper's Theorem 3.1(a)).
"""
from __future__ import annotations

import numpy as np

from .. import model as diagonal_model
from ..validation import check_depth, check_eta, check_vector
from .network import (_batched_balance_sides, _batched_grad_marginalized_loss, _batched_marginalized_loss,
                      _batched_weighted_balance_sides, check_target)

__all__ = ["DenseLandscape", "DiagonalLandscape", "hessian"]


class DenseLandscape:
    """``L_R`` of a dense network with widths ``dims = (d_0, .., d_L)``, target ``wstar`` (``d_L x d_0``), ``eta``."""

    kind = "dense"

    def __init__(self, dims, wstar, eta):
        dims = tuple(dims)
        if len(dims) < 3 or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1 for d in dims):
            raise ValueError(f"dims must be (d_0, .., d_L) with L >= 2 and integer widths >= 1, got {dims}")
        self.dims = tuple(int(d) for d in dims)
        self.shapes = [(self.dims[l + 1], self.dims[l]) for l in range(len(self.dims) - 1)]
        self.wstar = check_target(wstar, [np.zeros(shape) for shape in self.shapes])
        self.eta = float(check_eta(eta))
        self.size = sum(rows * cols for rows, cols in self.shapes)

    def layers(self, x) -> list:
        """``[W_1, .., W_L]`` from the flat parameters (row-major, layer 1 first), batch axes kept."""
        out, start = [], 0
        for rows, cols in self.shapes:
            out.append(x[..., start:start + rows * cols].reshape(*x.shape[:-1], rows, cols))
            start += rows * cols
        return out

    def _constants(self, x):
        if x.dtype == object:
            import mpmath

            return self.wstar.astype(object) * mpmath.mpf(1), mpmath.mpf(self.eta)
        return self.wstar, self.eta

    def value(self, x):
        """``L_R`` (:func:`.network.dense_marginalized_loss`), batched."""
        wstar, eta = self._constants(x)
        return _batched_marginalized_loss(self.layers(x), wstar, eta)

    def gradient(self, x):
        """``grad L_R`` flattened like ``x`` (:func:`.network.grad_dense_marginalized_loss`), batched."""
        wstar, eta = self._constants(x)
        grads = _batched_grad_marginalized_loss(self.layers(x), wstar, eta)
        return np.concatenate([g.reshape(*x.shape[:-1], -1) for g in grads], axis=-1)

    def balance_law_sides(self, layers) -> list:
        """The two sides of eq D6 at every interface."""
        eta = self._constants(layers[0])[1]
        return _batched_weighted_balance_sides(layers, eta)

    def describe(self) -> dict:
        """The landscape as plain data (for evidence)."""
        return {"model": "dense", "dims": list(self.dims), "wstar": self.wstar.tolist(), "eta": self.eta}


class DiagonalLandscape:
    """The paper's diagonal ``L_R`` (Lemma 2.2): depth ``L``, target vector ``wstar`` (width ``d``), ``eta``."""

    kind = "diagonal"

    def __init__(self, depth, wstar, eta):
        self.depth = check_depth(depth)
        self.wstar = check_vector(wstar, "wstar")
        self.width = self.wstar.shape[0]
        self.eta = float(check_eta(eta))
        self.size = self.depth * self.width

    def _rows(self, x):
        return x.reshape(*x.shape[:-1], self.depth, self.width)

    def layers(self, x) -> list:
        """The diagonal layers as ``d x d`` matrices ``diag(w_l)``, batch axes kept."""
        rows = self._rows(x)
        eye = np.eye(self.width).astype(x.dtype)
        return [rows[..., l, :, None] * eye for l in range(self.depth)]

    def _columns(self, x):
        """All batch members side by side as coordinates: ``(L, batch * d)`` (the model separates)."""
        rows = self._rows(x).reshape(-1, self.depth, self.width)
        return np.moveaxis(rows, 1, 0).reshape(self.depth, -1), rows.shape[0]

    def _targets(self, x, batch):
        wstar = np.tile(self.wstar, batch)
        if x.dtype == object:
            import mpmath

            return wstar.astype(object) * mpmath.mpf(1), mpmath.mpf(self.eta)
        return wstar, self.eta

    def value(self, x):
        """``L_R`` of the diagonal model (:func:`numeric.model.marginalized_loss`)."""
        if x.ndim == 1:
            return diagonal_model.marginalized_loss(self._rows(x), *self._targets(x, 1))
        return np.array([self.value(row) for row in x.reshape(-1, self.size)]).reshape(x.shape[:-1])

    def gradient(self, x):
        """``grad L_R`` of the diagonal model, batched by treating the batch as extra coordinates."""
        columns, batch = self._columns(x)
        grad = diagonal_model.grad_marginalized_loss(columns, *self._targets(x, batch))
        grad = np.moveaxis(grad.reshape(self.depth, batch, self.width), 0, 1)
        return grad.reshape(*x.shape[:-1], self.size)

    def balance_law_sides(self, layers) -> list:
        """Plain balance ``(W_l W_l^T, W_{l+1}^T W_{l+1})`` (Theorem 3.1(a))."""
        return _batched_balance_sides(layers)

    def describe(self) -> dict:
        """The landscape as plain data (for evidence)."""
        return {"model": "diagonal", "depth": self.depth, "wstar": self.wstar.tolist(), "eta": self.eta}


def hessian(landscape, x, step: float = 1e-5) -> np.ndarray:
    """Central finite differences of the analytic gradient, symmetrized: ``(..., size, size)`` in float64.

    Error ``O(step^2)`` from truncation plus ``O(eps / step)`` from rounding: about ``1e-10`` relative.
    """
    x = np.asarray(x, dtype=float)
    eye = np.eye(landscape.size) * step
    plus = landscape.gradient(x[..., None, :] + eye)
    minus = landscape.gradient(x[..., None, :] - eye)
    H = (plus - minus) / (2 * step)
    return 0.5 * (H + np.swapaxes(H, -1, -2))
