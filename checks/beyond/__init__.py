"""Claims beyond the paper: the open questions of its outlook.

The main paper's Section 5 names questions it leaves open (dense networks, S-SAM with a constant step,
non-whitened data); each claim here states what the suite found, derived and checked the same way as the
paper's own claims, with negative controls at the boundary.
"""
