"""Monte Carlo assertions with a declared false-failure rate and a reported power.

Design (after TensorFlow Probability's ``statistical_testing``):

* **False-failure probability** ``alpha``: the probability that a check fails although the
  claim is true.  A claim spends one family-wise budget (default ``1e-6``,
  :meth:`checks.framework.Claim.allocate`) across its statistical evidence; a check testing
  ``k`` entries at once splits its share over them (Bonferroni).  A negative control spends
  its *miss probability* (the wrong variant passes), a near-miss its failure probability.
* **Detectable discrepancy**: the smallest true error detected with probability ``power``
  (default 0.99); **sample size** needed for a given one (:func:`samples_needed`).

Which test, and why it keeps its rate (``docs/statistics.md`` has the calibration table):

* bounded draws (finitely many outcomes): :func:`assert_bounded_means_equal`, empirical
  Bernstein, exact at any level;
* frequencies: exact binomial (Clopper-Pearson): :func:`assert_rate_at_most` (a bound's
  violation rate), :func:`assert_proportion_at_least`, :func:`upper_bound_design`;
* unbounded draws (polynomials in Gaussians, Student inputs): :func:`assert_means_equal`, a
  z-test with the sample variance.  Its normal approximation is poor in the far tails for
  skewed draws: with :class:`ShapedMoments` (:func:`sample_shaped_moments`) it uses the
  critical value of the two-term Edgeworth expansion of Student's t statistic and refuses
  draws too heavy-tailed for it (:mod:`checks.stats.edgeworth`); plain ``Moments`` keep the
  normal quantile, valid only for light-tailed draws (the calibration shows which).
* :func:`assert_within_tolerance`: a vector mean within a tolerance (normal or Student t);
* unbounded, heavy-tailed draws with a known (or bounded) variance: median of means
  (:mod:`checks.stats.median_of_means`: Cantelli or Chebyshev per block, exact binomial over blocks),
  valid for any law: :func:`assert_mean_by_median_of_means`, :func:`median_of_means_interval`.
"""
from __future__ import annotations

from .binomial import (assert_proportion_at_least, assert_rate_at_most, proportion_miss_probability,
                       proportion_pass_count, rate_miss_probability, rate_rejection_count, upper_bound_design)
from .bounded import (assert_bounded_means_equal, bounded_miss_probability, empirical_bernstein_halfwidth,
                      halfwidth_exceedance_probability)
from .edgeworth import ShapedMoments, edgeworth_tail, sample_shaped_moments, shape_of, studentized_critical_value
from .median_of_means import (MedianOfMeansDesign, assert_mean_by_median_of_means, median_of_means_design,
                              median_of_means_interval)
from .median_of_means import failure_probability as median_of_means_failure_probability
from .median_of_means import miss_probability as median_of_means_miss_probability
from .normal import (DEFAULT_ALPHA, DEFAULT_POWER, assert_means_equal, assert_within_tolerance,
                     detectable_discrepancy, miss_probability, rejection_probability, samples_needed,
                     studentized_tail, z_critical)

__all__ = [
    # normal.py: z-test / Student t with the sample variance
    "DEFAULT_ALPHA", "DEFAULT_POWER", "z_critical", "detectable_discrepancy", "samples_needed", "assert_means_equal",
    "assert_within_tolerance", "miss_probability", "rejection_probability", "studentized_tail",
    # binomial.py: exact binomial (Clopper-Pearson) rates and proportions
    "assert_rate_at_most", "rate_rejection_count", "rate_miss_probability", "assert_proportion_at_least",
    "proportion_pass_count", "proportion_miss_probability", "upper_bound_design",
    # bounded.py: empirical Bernstein for bounded draws
    "assert_bounded_means_equal", "empirical_bernstein_halfwidth", "bounded_miss_probability",
    "halfwidth_exceedance_probability",
    # edgeworth.py: the Edgeworth-corrected critical value of Student's t statistic
    "ShapedMoments", "sample_shaped_moments", "shape_of", "edgeworth_tail", "studentized_critical_value",
    # median_of_means.py: any law with a known (or bounded) variance
    "MedianOfMeansDesign", "median_of_means_design", "assert_mean_by_median_of_means", "median_of_means_interval",
    "median_of_means_miss_probability", "median_of_means_failure_probability",
]
