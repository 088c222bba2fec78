"""`migrant-bot messenger` and `messenger setup`: secrets checked at start-up, the page profile published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fb_fake_graph import FakeGraphApi
from fb_harness import RecordingDialogue, postback_event

from bot.channels.messenger import MessengerConfig, MessengerSettingsError, run_messenger, setup_profile
from bot.channels.messenger_events import events_from_body
from bot.channels.messenger_profile import MAX_GREETING, MAX_MENU_TITLE
from bot.channels.messenger_state import utcnow
from bot.core import COMMANDS
from bot.settings import Settings, load_settings

ENV = ("MESSENGER_PAGE_ACCESS_TOKEN", "MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN", "MESSENGER_GRAPH_URL")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No Messenger settings from the environment of whoever runs the tests."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_missing_secrets_stop_the_start_with_a_clear_message(clean_env: pytest.MonkeyPatch, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run_messenger(load_settings(data_dir=tmp_path)) == 2
    err = capsys.readouterr().err
    assert all(name in err for name in ENV[:3])
    clean_env.setenv("MESSENGER_PAGE_ACCESS_TOKEN", "EAAG-token")
    clean_env.setenv("MESSENGER_VERIFY_TOKEN", "   ")
    assert run_messenger(load_settings(data_dir=tmp_path), dialogue=RecordingDialogue()) == 2
    err = capsys.readouterr().err
    assert "MESSENGER_APP_SECRET" in err and "MESSENGER_VERIFY_TOKEN" in err
    assert "MESSENGER_PAGE_ACCESS_TOKEN" not in err


def test_settings_come_from_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    values = ("EAAG-token", "app-secret", "verify", "http://127.0.0.1:1/v21.0")
    for name, value in zip(ENV, values, strict=True):
        clean_env.setenv(name, value)
    config = MessengerConfig.from_settings(load_settings(data_dir=tmp_path))
    assert (config.page_access_token, config.app_secret, config.verify_token, config.graph_url) == (
        "EAAG-token", "app-secret", "verify", "http://127.0.0.1:1/v21.0")
    assert config.db_path == tmp_path / "messenger.db"
    with pytest.raises(MessengerSettingsError):
        MessengerConfig.from_settings(load_settings(data_dir=tmp_path, MESSENGER_APP_SECRET=""))


def test_run_messenger_serves_the_webhook_on_the_given_address(clean_env: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        seen.update(options, paths={route.path for route in app.routes})

    clean_env.setattr("uvicorn.run", fake_run)
    settings = load_settings(data_dir=tmp_path, MESSENGER_PAGE_ACCESS_TOKEN="t", MESSENGER_APP_SECRET="s",
                             MESSENGER_VERIFY_TOKEN="v")
    assert run_messenger(settings, "127.0.0.1", 8099, dialogue=RecordingDialogue()) == 0
    assert (seen["host"], seen["port"], seen["lifespan"]) == ("127.0.0.1", 8099, "on")
    assert {"/webhook", "/healthz"} <= seen["paths"]


def _setup_settings(fake: FakeGraphApi, tmp_path: Path, **extra: str) -> Settings:
    return load_settings(data_dir=tmp_path, MESSENGER_PAGE_ACCESS_TOKEN=fake.token,
                         MESSENGER_GRAPH_URL=fake.url, **extra)


def test_setup_publishes_get_started_and_a_menu_per_locale(
        fake_graph: FakeGraphApi, clean_env: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert setup_profile(_setup_settings(fake_graph, tmp_path)) == 0
    assert "profile set" in capsys.readouterr().out
    (profile,) = fake_graph.profiles
    assert profile["get_started"] == {"payload": "GET_STARTED"}
    menus = {m["locale"]: m for m in profile["persistent_menu"]}
    assert list(menus) == ["default", "uk_UA", "ru_RU", "pl_PL"]
    for menu in menus.values():
        assert len(menu["call_to_actions"]) == 4
        assert all(0 < len(a["title"]) <= MAX_MENU_TITLE for a in menu["call_to_actions"])
    assert menus["uk_UA"]["call_to_actions"][2]["title"] == "Поговорити з консультантом"
    assert all(len(g["text"]) <= MAX_GREETING for g in profile["greeting"])
    for action in menus["default"]["call_to_actions"] + [{"payload": profile["get_started"]["payload"]}]:
        (event,) = events_from_body({"object": "page", "entry": [{"messaging": [
            postback_event("9001", action["payload"])]}]}, utcnow())
        msg = event.message
        assert msg.text in COMMANDS or msg.payload in ("topics", "human"), action  # the core knows each


def test_setup_says_when_meta_refuses(fake_graph: FakeGraphApi, clean_env: pytest.MonkeyPatch, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(data_dir=tmp_path, MESSENGER_PAGE_ACCESS_TOKEN="EAAG-revoked",
                             MESSENGER_GRAPH_URL=fake_graph.url)
    assert setup_profile(settings) == 1
    assert "Invalid OAuth access token" in capsys.readouterr().err
    assert setup_profile(load_settings(data_dir=tmp_path)) == 2
    assert "MESSENGER_PAGE_ACCESS_TOKEN" in capsys.readouterr().err
