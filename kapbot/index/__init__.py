"""The index: the corpus's units embedded and kept in Chroma, the models that embed them, and what
one version of it serves.

    modelfolder.py  where the embedding model lives (the installed package's copy, or a folder)
    embeddings.py   questions embedded on the serving path (onnxruntime + tokenizers, lazily)
    fullmodel.py    the full PyTorch model: index building and the one-time ONNX export (lazily)
    vectorcache.py  the index's vectors remembered between builds: a rebuild embeds only new text
    splitcache.py   the text splitter's chunks remembered between starts: no splitter on a cold ask
    store.py        the Chroma vector store through langchain-chroma, its only importer
    evidence.py     a damaged local index: SQLite's check, moved aside, old evidence pruned
    snapshot.py     one index version loaded whole (corpus, BM25, rankers), swapped atomically
"""
