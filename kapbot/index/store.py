"""The Chroma vector store, through langchain-chroma: the only module that imports either.

``Store`` holds index ``Unit``s with their embeddings in Chroma collections (cosine space) and
answers nearest-neighbour queries as ``(Unit, similarity)`` pairs, similarity = 1 - cosine
distance (Chroma returns distances: lower is closer). Each build goes into its own collection,
named after the fingerprint of what built it (corpus, index settings, model): a new version is
built while the old one still answers, then replaces it. The collection's metadata records the
fingerprint and unit count, so a stale, half-built, empty or unreadable index is noticed and
rebuilt, never served. Queries go straight to chromadb; LangChain's Chroma writes the units.

A damaged local index (SQLite's check fails, at start-up or after a read error) raises
``IndexDamaged``; ``recover`` moves it aside as evidence (``kapbot.index.evidence``) and starts a
new one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kapbot.errors import IndexDamaged, IndexError_, KapbotError, StoreUnavailable
from kapbot.index.embeddings import Embedder
from kapbot.index.evidence import looks_damaged, move_aside, short, sqlite_intact
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
    """A Chroma collection of kapbot units: a persistent one in ``path``, or, with ``url``, one
    on a Chroma server (``chroma run``) that several kapbot processes can share."""

    def __init__(
        self, path: Path, embedder: Embedder, collection: str = "kapbot", url: str = ""
    ) -> None:
        self.path = Path(path)
        self.url = url
        self.where = f"the Chroma server {url}" if url else str(self.path)
        self.embedder = embedder
        self.collection = collection
        self._client: Any = None
        self._handles: dict[str, Any] = {}
        self.active = ""  # the fingerprint of the index version that answers queries
        self.recovered = ""  # why the store was moved aside and started anew, if it was
        self.damaged = ""  # why the open index is damaged, once a read found it (until recovered)

    # -- opening -------------------------------------------------------------------------------
    def _connect(self) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        if self.url:
            parts = urlsplit(self.url)
            self._client = chromadb.HttpClient(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or (443 if parts.scheme == "https" else 8000),
                ssl=parts.scheme == "https",
                settings=ChromaSettings(anonymized_telemetry=False),
            )
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(
                path=str(self.path),
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True),
            )
        self._client.list_collections()  # touches the database: fails here if it is unreadable

    def open(self) -> Store:
        """Connect; a local database that cannot be opened or fails SQLite's check is moved aside
        and started anew. An unreachable Chroma server raises ``StoreUnavailable``."""
        self._handles = {}
        try:
            self._connect()
        except Exception as exc:
            if self.url:
                self._client = None
                raise StoreUnavailable(
                    f"Cannot reach {self.where} ({type(exc).__name__}): start it (chroma run "
                    "--path <folder> --host 127.0.0.1 --port <port>) or fix chroma_url"
                ) from exc
            self.recover(f"{type(exc).__name__}: {short(exc)}")
            return self
        if not self.url and not sqlite_intact(self.path / "chroma.sqlite3"):
            self.recover("chroma.sqlite3 fails SQLite's integrity check")
        return self

    def recover(self, why: str) -> Path | None:
        """Move the damaged local index aside, start an empty one; where the old one went."""
        from chromadb.api.shared_system_client import SharedSystemClient

        # forget this folder's cached Chroma client (only this folder's: other stores keep theirs)
        SharedSystemClient._identifier_to_system.pop(str(self.path), None)
        SharedSystemClient._identifier_to_refcount.pop(str(self.path), None)
        self._client, self._handles = None, {}
        self.active, self.damaged, self.recovered = "", "", why
        broken = move_aside(self.path)
        log.warning("The index at %s is damaged (%s): moved it to %s as evidence; building a "
                    "new one", self.path, why, broken or "nowhere (it was missing)")
        self._connect()
        return broken

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        """A Chroma failure: ``IndexDamaged`` (damaged local files) or ``StoreUnavailable``."""
        client = self._client
        try:
            yield
        except KapbotError:
            raise
        except Exception as exc:
            if (not self.url and client is not None and client is self._client
                    and looks_damaged(exc, self.path / "chroma.sqlite3")):
                self.damaged = f"{type(exc).__name__}: {short(exc)}"
                raise IndexDamaged(f"The index at {self.where} is damaged ({self.damaged}): it "
                                   "is moved aside and rebuilt") from exc
            raise StoreUnavailable(f"{what} {self.where}: {short(exc)}") from exc

    def _collection(self, version: str | None = None) -> Any:
        """The collection of one index version (default: the active one), for queries."""
        if self._client is None:
            self.open()
        fingerprint = version or self.active
        if not fingerprint:
            raise IndexError_("No index is active: run `kapbot index`")
        handle = self._handles.get(fingerprint)
        if handle is None:
            with self._guard("Cannot open the index at"):
                handle = self._client.get_collection(self.name_for(fingerprint))
            self._handles[fingerprint] = handle
        return handle

    def name_for(self, fingerprint: str) -> str:
        return f"{self.collection}-{fingerprint}"

    def _versions(self) -> list[str]:
        prefix = f"{self.collection}-"
        with self._guard("Cannot read the index at"):
            names = [c if isinstance(c, str) else c.name for c in self._client.list_collections()]
        return [n[len(prefix):] for n in names if n.startswith(prefix)]

    # -- state ---------------------------------------------------------------------------------
    def info(self, fingerprint: str | None = None) -> dict[str, Any]:
        """``{"fingerprint", "units", "count"}`` of one version (default: the active one); empty
        values if there is none."""
        if self._client is None:
            self.open()
        with self._guard("Cannot read the index at"):
            fingerprint = fingerprint or self.active
            if not fingerprint or fingerprint not in self._versions():
                return {"fingerprint": "", "units": 0, "count": 0}
            col = self._client.get_collection(self.name_for(fingerprint))
            meta = col.metadata or {}
            return {
                "fingerprint": str(meta.get("kapbot_fingerprint", "")),
                "units": int(meta.get("kapbot_units", 0)),
                "count": int(col.count()),
            }

    def is_current(self, fingerprint: str) -> tuple[bool, str]:
        """Whether an index version holds exactly what ``fingerprint`` describes; else why not."""
        info = self.info(fingerprint)
        if info["count"] == 0:
            if any(v != fingerprint for v in self._versions()):
                return False, "the corpus or index settings changed"
            return False, "the index is empty or missing"
        if info["count"] != info["units"]:
            return False, f"the index is incomplete ({info['count']} of {info['units']} units)"
        return True, ""

    def activate(self, fingerprint: str) -> None:
        """Answer queries from this version from now on."""
        self.active = fingerprint

    def prune(self, keep: set[str], spare: int = 0) -> int:
        """Delete index versions not in ``keep``, sparing the ``spare`` most recently built of
        the others (another process sharing a Chroma server may still answer from one of them);
        how many were deleted."""
        with self._guard("Cannot prune the index at"):
            others = [v for v in self._versions() if v not in keep]
            built = {v: float((self._client.get_collection(self.name_for(v)).metadata or {}).get(
                "kapbot_built_at", 0.0)) for v in others}
            doomed = sorted(others, key=lambda v: built[v], reverse=True)[spare:]
            for version in doomed:
                self._client.delete_collection(self.name_for(version))
                self._handles.pop(version, None)
        return len(doomed)

    # -- writing -------------------------------------------------------------------------------
    def rebuild(self, units: Sequence[Unit], fingerprint: str,
                progress: Callable[[int, int], None] | None = None) -> None:
        """Build ``units`` as version ``fingerprint`` while the active version keeps answering;
        activate it when complete. Ids are unique, so nothing is ever duplicated."""
        from langchain_chroma import Chroma

        ids = [u.id for u in units]
        if len(set(ids)) != len(ids):
            raise IndexError_("Two index units share an id: check the corpus for repeated headings")
        if self._client is None:
            self.open()
        name = self.name_for(fingerprint)
        with self._guard("Cannot write the index at"):
            if fingerprint in self._versions():  # a half-built or stale copy of this version
                self._client.delete_collection(name)
            self._handles.pop(fingerprint, None)
            vs = Chroma(
                collection_name=name,
                embedding_function=_langchain_embeddings(self.embedder),
                client=self._client,
                collection_metadata={"kapbot_fingerprint": fingerprint,
                                     "kapbot_units": len(units), "kapbot_built_at": time.time()},
                collection_configuration={"hnsw": {"space": "cosine"}},
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
        self.activate(fingerprint)

    # -- reading -------------------------------------------------------------------------------
    @staticmethod
    def _where(unit_type: UnitType | None, section_id: str | None) -> dict[str, Any] | None:
        clauses = [c for c in ({"type": unit_type}, {"section_id": section_id}) if all(c.values())]
        return {"$and": clauses} if len(clauses) > 1 else (clauses[0] if clauses else None)

    def _read(self, version: str | None, method: str, **query: Any) -> Any:
        try:
            collection = self._collection(version)
            with self._guard("Cannot read the index at"):
                return getattr(collection, method)(**query)
        except KapbotError:
            self._handles.pop(version or self.active, None)  # look it up again next time
            raise

    def nearest(
        self, vector: Sequence[float], k: int, unit_type: UnitType | None = None,
        version: str | None = None,
    ) -> list[tuple[str, float]]:
        """Ids and similarities of the ``k`` nearest units: the fast path (no documents or
        metadata are read; the caller knows the units of its index version)."""
        found = self._read(
            version, "query", query_embeddings=[list(vector)], n_results=k,
            where=self._where(unit_type, None), include=["distances"],
        )
        return [(str(i), 1.0 - float(d))
                for i, d in zip(found["ids"][0], found["distances"][0], strict=True)]

    def vectors(self, ids: Sequence[str], version: str | None = None) -> dict[str, list[float]]:
        """The stored embeddings of some units, by id."""
        got = self._read(version, "get", ids=list(ids), include=["embeddings"])
        return {str(i): [float(x) for x in e]
                for i, e in zip(got["ids"], got["embeddings"], strict=True)}

    def query(
        self, vector: list[float], unit_type: UnitType | None = None, k: int = 10,
        section_id: str | None = None, version: str | None = None,
    ) -> list[tuple[Unit, float]]:
        """The ``k`` nearest units (of one type, in one section, when given) with similarity,
        from index ``version`` (default: the active one), read back from Chroma."""
        found = self._read(
            version, "query", query_embeddings=[list(vector)], n_results=k,
            where=self._where(unit_type, section_id),
            include=["documents", "metadatas", "distances"],
        )
        out: list[tuple[Unit, float]] = []
        for uid, text, meta, distance in zip(
            found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0],
            strict=True,
        ):
            unit = Unit(id=str(uid), type=meta["type"], section_id=str(meta["section_id"]),
                        text=text, quote=str(meta.get("quote", "")),
                        origin=str(meta.get("origin", "text")),
                        position=int(meta.get("position", 0)))
            out.append((unit, 1.0 - float(distance)))
        return out

