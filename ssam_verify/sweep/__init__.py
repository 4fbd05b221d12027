"""Parameter sweeps on Dask: ``ssam-verify sweep``.

A sweep computes one quantity (:mod:`.quantities`: the certified landscape, GD on
``L_R`` to convergence, or S-SAM runs) at every point of a design (:mod:`.design`:
a grid or a random design over depth, noise level, target and step size), each
point a task on a Dask cluster (:mod:`.runner`: an embedded ``LocalCluster`` or an
existing scheduler), writes the rows as Parquet parts as they arrive
(:mod:`.store`, so ``--resume`` finishes an interrupted sweep) and draws the phase
diagram (:mod:`.phase_diagram`).  ``docs/sweep.md`` documents the table's columns.
"""
from .design import SweepDesign, parse_axis
from .runner import SweepResult, run_sweep, sweep_spec

__all__ = ["SweepDesign", "SweepResult", "parse_axis", "run_sweep", "sweep_spec"]
