"""The PAC-Bayes bound of Lemma 2.3, both sides, vectorized over many data sets.

Setting (main paper, Lemma 2.3 and Appendix A.3).  Data ``Z = (X, Y)`` with
``E[X X^T] = Sigma``, ``E X = 0``, finite fourth moments, and labels
``Y = <w*, X> + eps`` with ``eps ~ N(0, tau^2)`` independent of ``X``.  The
per-sample loss of the depth-``L`` diagonal network is
``l(W; Z) = (Y - <pi(W), X>)^2`` (no factor 1/2, eq 2), ``pi(W) = prod_l W_l``.
Prior: every weight ``N(0, sigma^2)``; posterior: ``W + G`` with ``G`` iid
``N(0, sigma^2)`` (in the paper ``sigma = eta``, the S-SAM noise level).

The inequality verified (reconstructed; derived in :mod:`derivations.pacbayes`):
for ``beta > 0`` and ``sigma > 0`` fixed before the data are seen, with
probability ``>= 1 - delta`` over the ``n`` i.i.d. samples, simultaneously for
every (possibly data-dependent) ``W``::

    E_G L_pop(W+G) <= E_G L_emp(W+G) + (KL(W) + log(1/delta)) / (beta sqrt(n))
                      + beta / (2 sqrt(n)) * E_G E_Z[l(W+G; Z)^2],
    KL(W) = sum_l ||W_l||_F^2 / (2 sigma^2).

The package, one module per concept:

* :mod:`.inputs`: the input laws (Gaussian, multivariate Student ``t_nu``), their
  fourth-moment factor ``k4`` and :func:`draw_datasets`;
* :mod:`.posterior`: closed forms under the posterior, ``KL``, ``E_G L_emp(W+G)``,
  ``E_G L_pop(W+G)`` and ``E_G E_Z l^2`` (diagonal network);
* :mod:`.bound`: the right-hand side of the bound, its wrong variants, the best beta;
* :mod:`.training`: data-dependent weights (GD or S-SAM on the data set, or the
  worst member of a fixed family);
* :mod:`.sampling`: Monte Carlo of ``(E_G E_Z l, E_G E_Z l^2)`` for diagonal and dense networks
  (by sampling the data, or conditional on ``P`` and the Student mixing variable);
* :mod:`.coverage`: both sides over many data sets and the violation frequency.

This ``__init__`` re-exports the public names (``from numeric import pacbayes as pb;
pb.simulate_bound(...)``).  Everything is checked against SymPy in :mod:`checks.section2.lemma_2_3`.
"""
from __future__ import annotations

from ..montecarlo import clopper_pearson
from .bound import VARIANTS, best_beta, bound_terms, bound_value
from .coverage import coverage_summary, simulate_bound
from .inputs import INPUT_KINDS, draw_datasets, input_fourth_moment_factor
from .posterior import kl_divergence, posterior_empirical_loss, posterior_loss_moments
from .sampling import conditional_loss_sampler, dense_end_to_end, diagonal_end_to_end, sample_loss_moments
from .training import select_worst, train

__all__ = [
    "INPUT_KINDS",
    "VARIANTS",
    "input_fourth_moment_factor",
    "draw_datasets",
    "kl_divergence",
    "posterior_empirical_loss",
    "posterior_loss_moments",
    "bound_terms",
    "bound_value",
    "best_beta",
    "train",
    "clopper_pearson",
    "diagonal_end_to_end",
    "dense_end_to_end",
    "sample_loss_moments",
    "conditional_loss_sampler",
    "select_worst",
    "simulate_bound",
    "coverage_summary",
]
