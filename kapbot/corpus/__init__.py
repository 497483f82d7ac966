"""The therapist's files in and out: the corpus folder read into sections, checked, cut into the
index's units, a missed question written back into its file, and a new practice's folder.

    markdown.py     one document (Markdown or plain text) parsed into sections (pure)
    reader.py       the corpus folder read: every ``.md`` and ``.txt`` file (``load_corpus``)
    chunking.py     sections → index units: passages, sentences, questions (pure)
    check.py        ``kapbot check``: each file's mistakes, with their line and their fix
    teach.py        ``kapbot teach``: a question written into its section's question bank
    newpractice.py  ``kapbot init``: a new practice's folder, from ``starter/`` (package data)
"""
