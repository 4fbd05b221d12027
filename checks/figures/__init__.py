"""The paper's figures as checkable statements: what each shows, verified on the computation that draws it.

One module per figure: :mod:`.figure_2` (the two-layer landscape: two minimizers ``(+-a, +-a)``,
``a^2 = w* - eta^2``, shrinking and merging at ``eta^2 >= w*``) and :mod:`.figure_3` (GD on ``L``, GD on
``L_R`` and S-SAM from one start: where each ends and how balanced).  Both evaluate
:mod:`numeric.paper_figures`, the same functions ``ssam-verify figures`` draws from.
"""
