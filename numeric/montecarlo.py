"""Chunked, seeded, multi-threaded Monte Carlo moments.

:func:`sample_moments` draws ``m`` samples in chunks, each chunk with its own
generator ``SFC64(SeedSequence(seed).spawn(n_chunks)[k])``, so the numbers
depend only on ``(seed, m, chunk)``, never on the number of threads or their
scheduling.  Chunk means and centred second moments are merged in chunk order
(Chan, Golub & LeVeque's pairwise update), which is numerically stable.

NumPy releases the GIL while filling random arrays and in large ufunc loops,
so two worker threads use both cores of the reference machine.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .validation import check_int, check_positive, check_seed

__all__ = ["Moments", "sample_moments", "chunk_generators", "clopper_pearson"]


@dataclass
class Moments:
    """Sample moments of ``n`` draws: entrywise ``mean`` and unbiased ``var`` (same shape)."""

    n: int
    mean: np.ndarray
    var: np.ndarray
    seed: int
    chunk: int

    @property
    def standard_error(self) -> np.ndarray:
        """Estimated standard error of ``mean``: ``sqrt(var / n)``."""
        return np.sqrt(self.var / self.n)


def chunk_generators(seed, m, chunk):
    """The chunk sizes and the per-chunk generators used by :func:`sample_moments`."""
    seed = check_seed(seed)
    m = check_int(m, "m", minimum=1)
    chunk = check_int(chunk, "chunk", minimum=1)
    sizes = [chunk] * (m // chunk) + ([m % chunk] if m % chunk else [])
    children = np.random.SeedSequence(seed).spawn(len(sizes))
    return sizes, [np.random.Generator(np.random.SFC64(c)) for c in children]


def sample_moments(sampler, m, seed=0, chunk=16384, workers=2, reduced=False) -> Moments:
    """Mean and variance over ``m`` draws of ``sampler(rng, k, scratch)``.

    ``sampler`` returns ``k`` draws stacked on axis 0 (any trailing shape); it
    may use the per-thread dict ``scratch`` to keep work buffers between calls.
    With ``reduced=True`` it returns the chunk's ``(mean, sum of squared deviations)``
    itself (a fused kernel that never stores the draws, :mod:`numeric.kernels.montecarlo`).
    """
    m = check_int(m, "m", minimum=2)
    chunk = check_int(chunk, "chunk", minimum=1)
    workers = check_int(workers, "workers", minimum=1)
    sizes, generators = chunk_generators(seed, m, chunk)
    thread_state = threading.local()

    def chunk_moments(k):
        """Size, mean and sum of squared deviations of chunk ``k``."""
        if not hasattr(thread_state, "scratch"):
            thread_state.scratch = {}
        x = sampler(generators[k], sizes[k], thread_state.scratch)
        if reduced:
            return sizes[k], x[0], x[1]
        chunk_mean = x.mean(axis=0)
        deviation = x - chunk_mean
        return sizes[k], chunk_mean, np.einsum("i...,i...->...", deviation, deviation)

    n, mean, squared_deviations = 0, None, None
    with ThreadPoolExecutor(workers) as executor:
        for chunk_n, chunk_mean, chunk_squared_deviations in executor.map(chunk_moments, range(len(sizes))):
            if mean is None:
                n, mean, squared_deviations = chunk_n, chunk_mean, chunk_squared_deviations
                continue
            total = n + chunk_n
            delta = chunk_mean - mean
            mean = mean + delta * (chunk_n / total)
            squared_deviations = squared_deviations + chunk_squared_deviations + delta * delta * (n * chunk_n / total)
            n = total
    return Moments(n=n, mean=mean, var=squared_deviations / (n - 1), seed=seed, chunk=chunk)


def clopper_pearson(k, n, alpha):
    """Exact one-sided binomial bounds ``(lower, upper)`` at confidence ``1 - alpha`` each.

    ``upper``: ``P(Bin(n, upper) <= k) = alpha`` (1 if ``k = n``); ``lower``:
    ``P(Bin(n, lower) >= k) = alpha`` (0 if ``k = 0``).  Beta-quantile form.
    """
    from scipy.stats import beta as beta_dist

    k = check_int(k, "k", minimum=0)
    n = check_int(n, "n", minimum=1)
    if k > n:
        raise ValueError(f"k must be <= n = {n}, got {k}")
    alpha = float(check_positive(alpha, "alpha"))
    if not alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    lower = 0.0 if k == 0 else float(beta_dist.ppf(alpha, k, n - k + 1))
    upper = 1.0 if k == n else float(beta_dist.ppf(1 - alpha, k + 1, n - k))
    return lower, upper
