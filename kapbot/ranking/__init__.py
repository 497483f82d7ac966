"""Ranking sections for a question and deciding whether to answer: the signals fused
(``fusion``), the search against one index snapshot (``search``), the question adapter learnt
from other practices' banks (``adapter``, its map in ``data/``), the trained section ranker
and its calibrated decision model (``ranker``), and the decision as a type (``decide``)."""
