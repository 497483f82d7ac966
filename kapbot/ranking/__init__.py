"""Ranking sections for a question and deciding whether to answer: the signals fused
(``fusion``), the search against one index snapshot (``search``), the trained section ranker
and its calibrated decision model (``ranker``), the lines other practices' banks lend it for
sections with no bank (``borrowed``), and the decision as a type (``decide``)."""
