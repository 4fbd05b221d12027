"""The claims: one module per claim, in a sub-package per part of the paper.

``checks/section2/``, ``section3/``, ``section4/`` hold the main paper's claims by
section, ``checks/related/`` the related sharpness results; a claim module is
named for its id (``theorem-4.3`` -> ``checks/section4/theorem_4_3.py``).  The
machinery they share: :mod:`checks.framework` (claims, evidence, the registry),
:mod:`checks.stats` (statistical assertions), :mod:`checks.controls` (negative
controls) and :mod:`checks.runner` (running many claims).

Use :func:`checks.framework.registry` to list claims and
:func:`checks.framework.run_claim` to run one.
"""
