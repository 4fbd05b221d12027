"""Gradient flow ``dW_k/dt = -grad_{W_k} R`` of a deep linear network (Marion & Chizat, eq 4), integrated by SciPy.

Two integrators, both returning a :class:`FlowTrajectory` (the states at the solver's own steps, so that
quantities along the flow are read where the solver certified its local error):

* :func:`gradient_flow_to_convergence`: LSODA (Adams while the flow moves, BDF once it has settled) run until
  the excess risk falls below ``loss_tol`` (a terminal event), not for a fixed time; ``t_max`` only guards
  against a flow that does not converge (then ``converged`` is false).  Flows from small initialization spend
  a time of order ``scale^{-(L-2)}`` near the saddle at zero, which LSODA crosses in a few hundred steps.
* :func:`gradient_flow_on_grid`: DOP853 over a fixed horizon at tight tolerances, evaluated on a grid, with a
  **global error estimate**: the same flow at tolerances 100x tighter; the difference of the two bounds the
  error of the tighter run with a margin (the error of an 8th-order method scales with the tolerance).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp

from ..validation import check_positive
from .network import batched_excess_risk, batched_gradient, check_problem, unflatten_batch

__all__ = ["FlowTrajectory", "gradient_flow_to_convergence", "gradient_flow_on_grid"]


@dataclass
class FlowTrajectory:
    """States ``states[i]`` (flat, ``(P,)``) at ``times[i]``; ``layers(i)`` gives the matrices."""

    times: np.ndarray
    states: np.ndarray
    shapes: list
    p: np.ndarray
    Sigma: np.ndarray
    wstar: np.ndarray
    converged: bool = True
    nfev: int = 0
    error_estimate: float | None = None
    info: dict = field(default_factory=dict)

    def layers(self, i) -> list:
        """The layers ``[W_1, ..., W_L]`` at sample ``i``."""
        return [W[0] for W in unflatten_batch(self.states[i][None], self.shapes)]

    def excess_risks(self) -> np.ndarray:
        """``R - R_min`` at every sample."""
        _, w = batched_gradient(unflatten_batch(self.states, self.shapes), self.p, self.Sigma, self.wstar)
        return batched_excess_risk(w, self.Sigma, self.wstar)

    @property
    def final_layers(self) -> list:
        return self.layers(-1)


def _split(theta, shapes):
    out, i = [], 0
    for m, n in shapes:
        out.append(theta[i:i + m * n].reshape(m, n))
        i += m * n
    return out


def _flow_rhs(shapes, p, Sigma, wstar):
    """``-grad R`` as a flat vector: the single-network form of eq 5 (plain matrix-vector products, no batch axis,
    which is what the solver calls thousands of times)."""
    L = len(shapes)
    sizes = [m * n for m, n in shapes]
    out = np.empty(sum(sizes))

    def rhs(_t, theta):
        Ws = _split(theta, shapes)
        ls = [p] * L
        for k in range(L - 1, 0, -1):
            ls[k - 1] = Ws[k].T @ ls[k]
        h = -2.0 * (Sigma @ (Ws[0].T @ ls[0] - wstar))
        i = 0
        for k in range(L):
            out[i:i + sizes[k]] = np.outer(ls[k], h).ravel()
            i += sizes[k]
            h = Ws[k] @ h
        return out.copy()
    return rhs


def _risk_function(shapes, p, Sigma, wstar):
    def risk(theta):
        v = p
        for W in reversed(_split(theta, shapes)):
            v = W.T @ v
        r = v - wstar
        return float(r @ Sigma @ r)
    return risk


def gradient_flow_to_convergence(W0, p, Sigma, wstar, loss_tol=1e-22, t_max=1e7, rtol=1e-10, atol=1e-14,
                                 method="LSODA", extra_times=0, extra_from=1.0) -> FlowTrajectory:
    """Integrate eq 4 from ``W0`` until ``R - R_min <= loss_tol`` (terminal event) or ``t_max``.

    ``loss_tol`` is absolute (the risks here are of order one); ``converged`` records whether the event fired.
    The states are recorded at the solver's steps and, with ``extra_times > 0``, also at ``extra_from`` and at
    ``extra_times`` log-spaced times between it and the end, from the solver's dense output (whose error is of
    the order of the local tolerance): near a saddle the solver's own steps are long, and a minimum over time
    must not depend on where they fall.
    """
    W0, p, Sigma, wstar = check_problem(W0, p, Sigma, wstar)
    check_positive(loss_tol, "loss_tol")
    check_positive(t_max, "t_max")
    shapes = [W.shape for W in W0]
    theta0 = np.concatenate([W.ravel() for W in W0])
    risk = _risk_function(shapes, p, Sigma, wstar)

    def reached(_t, theta):
        return risk(theta) - loss_tol
    reached.terminal = True
    reached.direction = -1
    sol = solve_ivp(_flow_rhs(shapes, p, Sigma, wstar), (0.0, float(t_max)), theta0, method=method, rtol=rtol,
                    atol=atol, events=reached, dense_output=extra_times > 0)
    if sol.status == -1:
        raise ArithmeticError(f"gradient flow integration failed: {sol.message}")
    converged = bool(sol.t_events[0].size) or risk(sol.y[:, -1]) <= loss_tol
    times, states = sol.t, sol.y.T
    if extra_times > 0 and sol.t[-1] > extra_from:
        extra = np.concatenate([[extra_from], np.geomspace(extra_from, sol.t[-1], int(extra_times) + 1)[1:-1]])
        times = np.concatenate([times, extra])
        states = np.concatenate([states, sol.sol(extra).T])
        order = np.argsort(times, kind="stable")
        times, states = times[order], states[order]
    return FlowTrajectory(times, np.ascontiguousarray(states), shapes, p, Sigma, wstar, converged=converged,
                          nfev=int(sol.nfev),
                          info={"method": method, "rtol": rtol, "atol": atol, "loss_tol": loss_tol,
                                "t_end": float(sol.t[-1])})


def gradient_flow_on_grid(W0, p, Sigma, wstar, t_end, n_times=41, rtol=1e-11, atol=1e-13) -> FlowTrajectory:
    """Eq 4 by DOP853 on ``n_times`` equally spaced times in ``[0, t_end]``, with a global error estimate.

    The flow is integrated at ``(rtol, atol)`` and at ``(rtol/100, atol/100)``; the result is the tighter run
    and ``error_estimate = max_i ||theta_loose(t_i) - theta_tight(t_i)||_2``, an estimate of the loose run's
    error and hence (by the method's order) a conservative bound on the tighter one's.
    """
    W0, p, Sigma, wstar = check_problem(W0, p, Sigma, wstar)
    check_positive(t_end, "t_end")
    shapes = [W.shape for W in W0]
    theta0 = np.concatenate([W.ravel() for W in W0])
    grid = np.linspace(0.0, float(t_end), int(n_times))
    rhs = _flow_rhs(shapes, p, Sigma, wstar)
    runs = []
    for factor in (1.0, 0.01):
        sol = solve_ivp(rhs, (0.0, float(t_end)), theta0, method="DOP853", rtol=rtol * factor, atol=atol * factor,
                        t_eval=grid)
        if not sol.success:
            raise ArithmeticError(f"gradient flow integration failed: {sol.message}")
        runs.append(sol)
    error = float(np.max(np.linalg.norm(runs[0].y - runs[1].y, axis=0)))
    return FlowTrajectory(grid, runs[1].y.T.copy(), shapes, p, Sigma, wstar, nfev=int(runs[0].nfev + runs[1].nfev),
                          error_estimate=error, info={"method": "DOP853", "rtol": rtol / 100, "atol": atol / 100})
