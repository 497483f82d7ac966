"""The therapist's tools: the eval, the gap report and review mode's explanations. None of it is on
a visitor's path (the chat imports ``review`` only to show it in review mode).

    evaluation.py  scoring an eval run: cases and outcomes in, metrics out (pure)
    plaineval.py   an eval file checked against the corpus; the eval in plain language
    evalrun.py     running the eval: kapbot, with and without its bank, and the tutorial stack
    htmlreport.py  ``kapbot eval --html``: one self-contained page, the only importer of matplotlib
    gapreport.py   ``kapbot report``: the biggest groups of questions the writing missed
    review.py      review mode's explanation of one reply, for the therapist (pure)
"""
