"""The safety classifier's feature cache (``kapbot.safety.features.FeatureCache``): each text
featurized once, in batches of similar length, and its rows given back in the caller's order."""

from __future__ import annotations

from pathlib import Path

from kapbot.safety.features import FeatureCache, Featurizer


class Counting:
    """Embeds a text as [its length, its first letter's code]; records every call."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [[float(len(t)), float(ord(t[0]))] for t in texts]


def test_each_text_is_featurized_once_shortest_first_and_returned_in_order(
        tmp_path: Path) -> None:
    base, multi = Counting("base"), Counting("multi")
    cache = FeatureCache(tmp_path, Featurizer(base, multi))
    texts = ["ccc", "a", "bb", "a", "dddd", "eeeee"]
    rows = cache.features(texts, batch=2)
    assert [list(r) for r in rows] == [[len(t), ord(t[0]), len(t), ord(t[0])] for t in texts]
    assert base.calls == multi.calls == [["a", "bb"], ["ccc", "dddd"], ["eeeee"]]
    again = FeatureCache(tmp_path, Featurizer(base, multi)).features(["dddd", "a", "ffffff"])
    assert [r[0] for r in again] == [4, 1, 6]
    assert base.calls[3:] == [["ffffff"]]  # the others were saved by the first call
