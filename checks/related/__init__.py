"""Related results (seeds 003, 004): sharpness of minimizers and SGD's exact stability threshold.

One module per claim, named for its id: ``sharpness_minimizers`` and
``sharpness_gradient_flow`` (Marion & Chizat 2024, Thms 1-2, Cor 2), ``sgd_stability``
(Mulayoff & Michaeli 2024, Thm 3, Props 1-3, Thm 5) and ``ssam_sharpness`` (the two meet
the main paper at S-SAM's critical points, Theorem 3.1b); beside them, the instances and
cached measurements they share (``measurement_cache``, ``minimizer_instances``,
``gradient_flow_runs``, ``stability_instances``, ``stability_threshold_checks``,
``critical_point_sharpness``).  Loss normalization throughout: no factor 1/2,
``L = mean (y - f)^2``.  Every check is a function of the *candidate* formula or value
returning ``(passed, detail)``; the positive evidence runs it on the derived candidate and
the negative control on deliberately wrong variants (all must be rejected).
"""
