"""Ranking sections for a question and deciding whether to answer: the signals fused
(``fusion``), the search against one index snapshot (``search``), the trained section ranker
and its calibrated decision model (``ranker``), and the decision as a type (``decide``)."""
