"""A visitor message's vectors, made once per message and passed on, never kept: its MiniLM vector
(retrieval and the safety screen) and its multilingual one (the screen, and the multilingual
section ranker, ``kapbot.ranking.fusion``). A model that fails gives None and is logged: the rules
still screen, and retrieval tries again."""

from __future__ import annotations

import logging

from kapbot.index.embeddings import Embedder, OnnxEmbedder

log = logging.getLogger("kapbot")

MESSAGE_TOKENS = 128  # a message's vector (retrieval and screen) reads at most this many tokens
Vector = list[float] | None


class MessageVectors:
    def __init__(self, embedder: Embedder, multilingual: Embedder) -> None:
        self.embedder = embedder
        self.multilingual = multilingual

    def minilm(self, text: str) -> Vector:
        try:
            if isinstance(self.embedder, OnnxEmbedder):
                return self.embedder.embed([text], MESSAGE_TOKENS)[0]
            return self.embedder.embed([text])[0]
        except Exception:
            log.exception("Could not embed a message")
            return None

    def multilingual_vector(self, text: str) -> Vector:
        try:
            return self.multilingual.embed([text])[0]
        except Exception:
            log.exception("Could not embed a message with the multilingual encoder")
            return None

    def both(self, text: str) -> tuple[Vector, Vector]:
        return self.minilm(text), self.multilingual_vector(text)
