"""Input laws of the PAC-Bayes experiments and the data sets drawn from them (Lemma 2.3).

Inputs ``X`` have mean 0 and ``E[X X^T] = Sigma``: Gaussian ``N(0, Sigma)``, or
the multivariate Student ``t_nu`` scaled to covariance ``Sigma`` (an elliptical
law with heavier tails, ``nu > 4`` for a finite fourth moment).  Labels are
``Y = <w*, X> + eps``, ``eps ~ N(0, noise^2)``.
"""
from __future__ import annotations

import numpy as np

from ..validation import check_int, check_positive, check_vector

__all__ = ["INPUT_KINDS", "checked_covariance", "checked_student_nu", "input_fourth_moment_factor",
           "draw_datasets"]

#: Input distributions: ``"gaussian"`` N(0, Sigma); ``"student-t"``: multivariate t_nu scaled to covariance Sigma.
INPUT_KINDS = ("gaussian", "student-t")


def checked_covariance(Sigma, d):
    """``Sigma`` as a float ``(d, d)`` array (identity if ``None``); refuses non-symmetric or non-PD matrices."""
    covariance = np.eye(d) if Sigma is None else np.asarray(Sigma, dtype=float)
    if covariance.shape != (d, d):
        raise ValueError(f"Sigma must have shape ({d}, {d}) (width x width), got {covariance.shape}")
    if not np.all(np.isfinite(covariance)) or not np.allclose(covariance, covariance.T):
        raise ValueError("Sigma must be a finite symmetric matrix")
    if np.linalg.eigvalsh(covariance)[0] <= 0:
        raise ValueError("Sigma must be positive definite")
    return covariance


def checked_student_nu(nu):
    """``nu`` as a float, refused unless ``nu > 4`` (finite fourth moment of the t inputs)."""
    check_positive(nu, "nu")
    if not float(nu) > 4:
        raise ValueError(f"nu must be > 4 (finite fourth moment of the t inputs), got {nu}")
    return float(nu)


def input_fourth_moment_factor(inputs="gaussian", nu=5.0) -> float:
    """``k4 = E<u,X>^4 / (u^T Sigma u)^2`` for the input law (any ``u``).

    Gaussian: 3 (Isserlis).  Multivariate ``t_nu`` with covariance ``Sigma``,
    ``X = sqrt((nu-2)/V) Sigma^{1/2} Z`` with ``V ~ chi^2_nu``: ``3 E[(nu-2)^2/V^2]
    = 3 (nu-2)/(nu-4)`` (needs ``nu > 4``; derived in
    :func:`derivations.pacbayes.student_t_fourth_moment_factor`).
    """
    if inputs == "gaussian":
        return 3.0
    if inputs == "student-t":
        nu = checked_student_nu(nu)
        return 3.0 * (nu - 2.0) / (nu - 4.0)
    raise ValueError(f"inputs must be one of {INPUT_KINDS}, got {inputs!r}")


def draw_datasets(draws, n, wstar, Sigma=None, noise=0.5, inputs="gaussian", nu=5.0, seed=0):
    """``draws`` independent data sets of ``n`` samples: ``X`` (draws, n, d), ``Y`` (draws, n).

    ``X`` has mean 0 and ``E[X X^T] = Sigma`` (identity by default), Gaussian or
    multivariate Student ``t_nu`` (``nu > 4``); ``Y = X w* + eps``,
    ``eps ~ N(0, noise^2)``.  Deterministic in ``seed``.
    """
    wstar = check_vector(wstar, "wstar")
    d = wstar.shape[0]
    draws = check_int(draws, "draws", minimum=1)
    n = check_int(n, "n", minimum=1)
    noise = float(check_positive(noise, "noise", allow_zero=True))
    covariance = checked_covariance(Sigma, d)
    if inputs not in INPUT_KINDS:
        raise ValueError(f"inputs must be one of {INPUT_KINDS}, got {inputs!r}")
    rng = np.random.default_rng(seed)
    cholesky_factor = np.linalg.cholesky(covariance)
    X = rng.standard_normal((draws, n, d)) @ cholesky_factor.T
    if inputs == "student-t":
        nu = checked_student_nu(nu)
        X *= np.sqrt((nu - 2.0) / rng.chisquare(nu, size=(draws, n, 1)))
    Y = X @ wstar + noise * rng.standard_normal((draws, n))
    return X, Y
