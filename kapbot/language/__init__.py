"""The visitor's language: which one a message is in, the voice a reply is framed in, and answers
to questions not in English.

    choice.py              which language a message is in: the detector's signals and the
                           message's cue words in, a ``Lang`` out (pure)
    language_choice.json   the learnt choice between English and Spanish (package data)
    langdetect.py          the language detector (lingua), its only importer
    crosslingual.py        answers across languages, by the multilingual vectors
    voices.py              what ``Bot`` holds: the detector, a voice and the over-limit replies
                           per language, the cross-lingual answers
"""
