from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kapbot.errors import ConfigError
from kapbot.settings import PLACEHOLDER_BOOKING_URL, SETTINGS, Settings, load


def test_table_and_dataclass_agree() -> None:
    import dataclasses

    fields = {f.name for f in dataclasses.fields(Settings)}
    assert {s.name for s in SETTINGS} == fields
    for setting in SETTINGS:
        assert setting.env == "KAPBOT_" + setting.name.upper()
        assert setting.help.strip()


def test_defaults_without_config(tmp_path: Path) -> None:
    settings = load(config_path=tmp_path / "missing.toml", environ={})
    assert settings.booking_url == PLACEHOLDER_BOOKING_URL
    assert settings.booking_is_placeholder
    assert settings.corpus_dir == tmp_path / "corpus"  # relative to the config's folder
    assert settings.max_quote_words == 150


def test_toml_then_env_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "kapbot.toml"
    config.write_text(
        '[kapbot]\ntherapist_name = "Ana"\nanswer_threshold = 0.4\nuse_bank = false\n'
        'data_dir = "/srv/kap"\n'
    )
    settings = load(config_path=config, environ={"KAPBOT_ANSWER_THRESHOLD": "0.6"})
    assert settings.therapist_name == "Ana"
    assert settings.answer_threshold == 0.6
    assert settings.use_bank is False
    assert settings.data_dir == Path("/srv/kap")
    assert load(config_path=config, environ={}, port=9000).port == 9000


def test_bad_values_say_what_is_wrong(tmp_path: Path) -> None:
    config = tmp_path / "kapbot.toml"
    config.write_text("[kapbot]\nport = 'eighty'\n")
    with pytest.raises(ConfigError, match="port"):
        load(config_path=config, environ={})
    config.write_text("[kapbot]\nthrehsold = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'threhsold'"):
        load(config_path=config, environ={})
    config.write_text("not toml [")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(config_path=config, environ={})
    with pytest.raises(ConfigError, match=r"KAPBOT|use_bank"):
        load(config_path=tmp_path / "none.toml", environ={"KAPBOT_USE_BANK": "maybe"})


def test_inconsistent_values_are_refused() -> None:
    with pytest.raises(ConfigError, match="chunk_overlap"):
        Settings(chunk_size=100, chunk_overlap=100)
    with pytest.raises(ConfigError, match="answer_threshold"):
        Settings(answer_threshold=1.5)


def test_disclaimer_names_are_filled() -> None:
    settings = Settings(therapist_name="Ana Ruiz", practice_name="Ruiz Therapy")
    assert "Ana Ruiz" in settings.disclaimer_text
    assert "{" not in settings.disclaimer_text


def test_placeholder_booking_url_warns(tiny_settings: Settings, fake_embedder: object,
                                       caplog: pytest.LogCaptureFixture) -> None:
    from kapbot.bot import Bot

    placeholder = tiny_settings.replace(booking_url=PLACEHOLDER_BOOKING_URL)
    with caplog.at_level(logging.WARNING, logger="kapbot"):
        Bot(placeholder, embedder=fake_embedder).prepare()  # type: ignore[arg-type]
    assert any("placeholder" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kapbot"):
        Bot(tiny_settings, embedder=fake_embedder).prepare()  # type: ignore[arg-type]
    assert not any("placeholder" in r.getMessage() for r in caplog.records)
