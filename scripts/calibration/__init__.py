"""Row builders of ``scripts/calibrate_statistics.py``, one module per part of the suite (:mod:`.core`: the machinery)."""
