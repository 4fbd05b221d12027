"""The gradient flow ``dW_l/dt = -grad_{W_l} L_R(W)`` (eq 12), in float64 and in mpmath.

* :func:`gradient_flow` -- SciPy ``solve_ivp`` (DOP853, ``rtol=1e-12`` by default) in
  float64, or the flow of the unregularized loss ``L`` with ``regularized=False``;
  optionally integrates the energy ``int_0^t ||grad||^2 ds`` alongside (eqs 15, 17);
* :func:`gradient_flow_mp` -- the same flow in mpmath (Taylor-series ODE solver
  :func:`mpmath.odefun`) at a chosen precision, with an error estimate from a
  second run at higher precision.
"""
from __future__ import annotations

import numpy as np

from ..kernels import resolve_engine
from ..validation import check_eta, check_int, check_positive, check_vector, check_weights
from .batched_model import batch_grad
from .trajectory import Trajectory, records_from_weights, validated_problem

__all__ = ["gradient_flow", "gradient_flow_mp"]


def _check_times(times):
    """Raise unless ``times`` is a non-empty, non-decreasing 1-D array of finite times >= 0."""
    if (times.ndim != 1 or times.size < 1 or not np.all(np.isfinite(times)) or np.any(np.diff(times) < 0)
            or times[0] < 0):
        raise ValueError("times must be a non-empty, non-decreasing 1-D array of finite times >= 0")


def _numpy_vector_field(L, K, d, wstar_wide, eta, regularized, energy):
    """The NumPy reference vector field: ``-grad`` (then ``||grad||^2`` per run with ``energy``)."""
    n = L * K * d

    def vector_field(t, y):
        W = y[:n].reshape(L, K * d)
        g = batch_grad(W, wstar_wide, eta, regularized)
        out = -g.ravel()
        if energy:
            e = np.sum((g * g).reshape(L, K, d), axis=(0, 2))
            return np.concatenate([out, e])
        return out

    return vector_field


def gradient_flow(W0, wstar, eta, times, regularized=True, rtol=1e-12, atol=1e-14,
                  energy=False, engine="auto") -> Trajectory:
    """Gradient flow ``dW/dt = -grad L_R(W)`` (eq 12) from ``W0``, recorded at ``times``.

    ``regularized=False`` integrates the flow of the unregularized loss ``L``
    (``eta`` then only enters the recorded ``L_R``).  ``W0``: (L, d) or (K, L, d)
    (``K`` independent flows, integrated together as one flow of width ``K d``:
    the vector field separates by coordinate).  SciPy ``solve_ivp`` with DOP853
    (explicit Runge-Kutta of order 8) at ``rtol``/``atol``.

    With ``energy=True`` the integral ``int_0^t ||grad||^2 ds`` per run is
    integrated alongside (eqs 15 and 17: it equals ``L_R(W(0)) - L_R(W(t))``)
    and returned in ``records["grad_norm_integral"]``.  ``engine="numba"`` evaluates the
    vector field with :func:`numeric.kernels.flows.flow_vector_field` (the same formula,
    equal to rounding), ``"auto"`` when numba is installed.
    """
    from scipy.integrate import solve_ivp

    engine = resolve_engine(engine)
    Wb, batched, wstar, eta = validated_problem(W0, wstar, eta)
    times = np.asarray(times, dtype=float)
    _check_times(times)
    for name, v in (("rtol", rtol), ("atol", atol)):
        check_positive(v, name)
    K, L, d = Wb.shape
    # layer-major wide state (L, K*d): one flow of width K*d
    wide_start = np.ascontiguousarray(np.moveaxis(Wb, 0, 1).reshape(L, K * d))
    wstar_wide = np.tile(wstar, K)
    n = L * K * d

    if engine == "numba":
        from ..kernels.flows import flow_vector_field

        def vector_field(t, y):
            return flow_vector_field(y, wstar_wide, float(eta), L, K, d, bool(regularized), bool(energy))
    else:
        vector_field = _numpy_vector_field(L, K, d, wstar_wide, eta, regularized, energy)

    y0 = wide_start.ravel()
    if energy:
        y0 = np.concatenate([y0, np.zeros(K)])
    T = float(times[-1])
    if T == 0:
        ys = np.repeat(y0[:, None], times.size, axis=1)
        nfev = 0
    else:
        sol = solve_ivp(vector_field, (0.0, T), y0, method="DOP853", t_eval=times, rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"gradient flow integration failed: {sol.message}")
        ys = sol.y
        nfev = int(sol.nfev)
    R = times.size
    weights = ys[:n].T.reshape(R, L, K, d).transpose(0, 2, 1, 3)
    rec = records_from_weights(weights, wstar, eta)
    if energy:
        rec["grad_norm_integral"] = ys[n:].T.copy()
    info = {"solver": "scipy.integrate.solve_ivp DOP853", "rtol": rtol, "atol": atol,
            "regularized": bool(regularized), "nfev": nfev}
    return Trajectory(times, np.ascontiguousarray(weights), rec, batched, info)


def gradient_flow_mp(W0, wstar, eta, times, dps=30, regularized=True, check_dps=None):
    """Gradient flow of ``L_R`` (eq 12) in mpmath at ``dps`` digits, at the given ``times``.

    Solved by :func:`mpmath.odefun` (Taylor series method) with tolerance
    ``10^-dps``; the precision is raised locally (``mpmath.workdps``).  A second
    solve at ``check_dps`` (default ``dps + 10``) gives ``error_estimate``: the
    largest absolute difference of the weights between the two solves.

    Returns ``(weights, error_estimate)``: ``weights`` an object array of
    ``mpmath.mpf`` of shape (R, L, d), and the estimate as an ``mpf``.
    Intended for small systems (``L d`` up to ~10) and moderate times.
    """
    import mpmath

    W0 = check_weights(W0, "W0")
    L, d = W0.shape
    wstar = check_vector(wstar, "wstar", length=d)
    check_eta(eta, allow_zero=True)
    dps = check_int(dps, "dps", minimum=15)
    check_dps = dps + 10 if check_dps is None else check_int(check_dps, "check_dps", minimum=dps + 1)
    t_arr = np.asarray(times, dtype=float)
    _check_times(t_arr)
    times = list(times)

    def solve_at_precision(prec):
        with mpmath.workdps(prec):
            start = [mpmath.mpf(str(x)) if not isinstance(x, mpmath.mpf) else +x for x in np.ravel(W0)]
            wstar_mp = np.array([mpmath.mpf(str(x)) if not isinstance(x, mpmath.mpf) else +x for x in wstar],
                                dtype=object)
            eta_mp = mpmath.mpf(str(eta)) if not isinstance(eta, mpmath.mpf) else +eta

            eta_squared = eta_mp * eta_mp

            def negative_gradient(t, y):
                # -grad per coordinate h: grad_l L_R / 2 = w_l prod_{k!=l}(w_k^2+eta^2) - w* prod_{k!=l} w_k,
                # grad_l L / 2 = (pi - w*) prod_{k!=l} w_k  (plain mpf loops: L d is small)
                out = [None] * (L * d)
                for h in range(d):
                    w = [y[l * d + h] for l in range(L)]
                    for l in range(L):
                        others_product = mpmath.mpf(1)
                        others_shifted_product = mpmath.mpf(1)
                        for k in range(L):
                            if k != l:
                                others_product *= w[k]
                                others_shifted_product *= w[k] * w[k] + eta_squared
                        if regularized:
                            out[l * d + h] = -2 * (w[l] * others_shifted_product - wstar_mp[h] * others_product)
                        else:
                            out[l * d + h] = -2 * (w[l] * others_product - wstar_mp[h]) * others_product
                return out

            solution = mpmath.odefun(negative_gradient, 0, start, tol=mpmath.mpf(10) ** (-prec))
            out = np.empty((len(times), L, d), dtype=object)
            for i, t in enumerate(times):
                t = mpmath.mpf(str(t)) if not isinstance(t, mpmath.mpf) else t
                out[i] = np.array(solution(t) if t != 0 else start, dtype=object).reshape(L, d)
            return out

    weights = solve_at_precision(dps)
    reference = solve_at_precision(check_dps)
    with mpmath.workdps(check_dps):
        error_estimate = max(abs(a - b) for a, b in zip(weights.ravel(), reference.ravel()))
    return weights, error_estimate
