"""What is kept on disk about visitors, and for how long: small SQLite files in the data folder,
each made owner-only on first write, none of them when nothing is stored.

    sqlitedb.py  the owner-only SQLite file and data folder (``SqliteFile``, ``private_dir``)
    history.py   stored conversations, an explicit opt-in, deleted after ``retention_days``
    feedback.py  visitors' thumbs up/down on replies; their questions only when opted in
    gaps.py      what visitors ask that the writing misses, counted under the corpus's own words
"""
