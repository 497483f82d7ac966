"""The Chroma vector store, through langchain-chroma: the only module that imports either.

``Store`` holds index ``Unit``s with their embeddings in one persistent collection (cosine space)
and answers nearest-neighbour queries as ``(Unit, similarity)`` pairs, similarity = 1 - cosine
distance (Chroma returns distances: lower is closer). The collection's metadata records the
fingerprint of what built it (corpus, index settings, model) and its unit count, so a stale,
half-built, empty or unreadable index is noticed and rebuilt, never served.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kapbot.embeddings import Embedder
from kapbot.errors import IndexError_, StoreUnavailable
from kapbot.models import Unit, UnitType

log = logging.getLogger("kapbot.store")

BATCH = 256


def _langchain_embeddings(embedder: Embedder) -> Any:
    from langchain_core.embeddings import Embeddings

    class _Adapter(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(list(texts))

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed([text])[0]

    return _Adapter()


class Store:
    """A persistent Chroma collection of kapbot units in ``path``."""

    def __init__(self, path: Path, embedder: Embedder, collection: str = "kapbot") -> None:
        self.path = Path(path)
        self.embedder = embedder
        self.collection = collection
        self._client: Any = None
        self._vs: Any = None
        self.recovered = ""  # why the store was reset at open, if it was

    # -- opening -------------------------------------------------------------------------------
    def _connect(self) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.path.mkdir(parents=True, exist_ok=True)
        self._client = chromadb.PersistentClient(
            path=str(self.path),
            settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True),
        )
        self._client.list_collections()  # touches the database: fails here if it is unreadable

    def open(self) -> Store:
        """Connect; an unreadable database (garbage, truncated) is moved aside and started anew."""
        try:
            self._connect()
        except Exception as exc:
            self.recovered = f"{type(exc).__name__}: {exc}"
            log.warning("Index at %s is unreadable (%s): starting a new one", self.path, exc)
            self._reset_files()
            self._connect()
        return self

    def _reset_files(self) -> None:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
        self._client = self._vs = None
        if self.path.exists():
            broken = self.path.with_name(self.path.name + ".broken")
            shutil.rmtree(broken, ignore_errors=True)
            self.path.rename(broken)

    def _vectorstore(self, create: bool = False, metadata: dict[str, Any] | None = None) -> Any:
        from langchain_chroma import Chroma

        if self._client is None:
            self.open()
        if create or self._vs is None:
            self._vs = Chroma(
                collection_name=self.collection,
                embedding_function=_langchain_embeddings(self.embedder),
                client=self._client,
                collection_metadata=metadata,
                collection_configuration={"hnsw": {"space": "cosine"}},
            )
        return self._vs

    # -- state ---------------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """``{"fingerprint", "units", "count"}`` of the collection; empty values if it has none."""
        try:
            if self._client is None:
                self.open()
            names = [c if isinstance(c, str) else c.name for c in self._client.list_collections()]
            if self.collection not in names:
                return {"fingerprint": "", "units": 0, "count": 0}
            col = self._client.get_collection(self.collection)
            meta = col.metadata or {}
            return {
                "fingerprint": str(meta.get("kapbot_fingerprint", "")),
                "units": int(meta.get("kapbot_units", 0)),
                "count": int(col.count()),
            }
        except Exception as exc:
            raise StoreUnavailable(f"Cannot read the index at {self.path}: {exc}") from exc

    def is_current(self, fingerprint: str) -> tuple[bool, str]:
        """Whether the index holds exactly what ``fingerprint`` describes; else why not."""
        info = self.info()
        if info["count"] == 0:
            return False, "the index is empty or missing"
        if info["fingerprint"] != fingerprint:
            return False, "the corpus or index settings changed"
        if info["count"] != info["units"]:
            return False, f"the index is incomplete ({info['count']} of {info['units']} units)"
        return True, ""

    # -- writing -------------------------------------------------------------------------------
    def rebuild(
        self,
        units: Sequence[Unit],
        fingerprint: str,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Replace the collection with ``units``. Ids are unique, so nothing is ever duplicated."""
        ids = [u.id for u in units]
        if len(set(ids)) != len(ids):
            raise IndexError_("Two index units share an id: check the corpus for repeated headings")
        if self._client is None:
            self.open()
        names = [c if isinstance(c, str) else c.name for c in self._client.list_collections()]
        if self.collection in names:
            self._client.delete_collection(self.collection)
        self._vs = None
        vs = self._vectorstore(
            create=True,
            metadata={"kapbot_fingerprint": fingerprint, "kapbot_units": len(units)},
        )
        for start in range(0, len(units), BATCH):
            batch = units[start : start + BATCH]
            vs.add_texts(
                texts=[u.text for u in batch],
                metadatas=[u.metadata() for u in batch],
                ids=[u.id for u in batch],
            )
            if progress:
                progress(min(start + BATCH, len(units)), len(units))

    # -- reading -------------------------------------------------------------------------------
    def query(
        self, vector: list[float], unit_type: UnitType | None = None, k: int = 10,
        section_id: str | None = None,
    ) -> list[tuple[Unit, float]]:
        """The ``k`` nearest units (of one type, in one section, when given) with similarity."""
        where: dict[str, Any] | None = None
        clauses: list[dict[str, Any]] = []
        if unit_type:
            clauses.append({"type": unit_type})
        if section_id:
            clauses.append({"section_id": section_id})
        if len(clauses) == 1:
            where = clauses[0]
        elif clauses:
            where = {"$and": clauses}
        try:
            hits = self._vectorstore().similarity_search_by_vector_with_relevance_scores(
                vector, k=k, filter=where
            )
        except Exception as exc:
            raise StoreUnavailable(f"The index at {self.path} cannot be searched: {exc}") from exc
        out: list[tuple[Unit, float]] = []
        for doc, distance in hits:
            meta = doc.metadata
            unit = Unit(
                id=str(doc.id),
                type=meta["type"],
                section_id=str(meta["section_id"]),
                text=doc.page_content,
                quote=str(meta.get("quote", "")),
                origin=str(meta.get("origin", "text")),
                position=int(meta.get("position", 0)),
            )
            out.append((unit, 1.0 - float(distance)))
        return out
