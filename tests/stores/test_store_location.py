"""Store URIs, --since windows, and the Phoenix fixture's refusal to run without its venv."""

from datetime import datetime, timezone

import pytest

import phoenix_server
from traceclio_core.errors import ConfigurationError
from traceclio_core.store_location import parse_location, parse_since, store_of


def test_loopback_hosts_are_spoken_to_over_http_and_others_over_https():
    local = parse_location("phoenix://127.0.0.1:6006/shop")
    assert (local.store, local.base_url, local.project) == ("phoenix", "http://127.0.0.1:6006", "shop")
    assert parse_location("langfuse://cloud.langfuse.com").base_url == "https://cloud.langfuse.com"
    assert parse_location("langfuse+http://lf.internal:3000").base_url == "http://lf.internal:3000"
    assert parse_location("langfuse://?tenant=project", "https://eu.example").options == {"tenant": "project"}
    assert store_of("traces/*.jsonl") is None and store_of("phoenix+https://x/p") == "phoenix"
    with pytest.raises(ConfigurationError):
        parse_location("langfuse://")


def test_since_takes_durations_and_iso_times():
    now = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
    assert parse_since("7d", now) == datetime(2026, 11, 13, 12, tzinfo=timezone.utc)
    assert parse_since("90m", now) == datetime(2026, 11, 20, 10, 30, tzinfo=timezone.utc)
    assert parse_since("2026-11-01T00:00:00", now) == datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert parse_since(None) is None
    with pytest.raises(ConfigurationError):
        parse_since("last tuesday")


def test_phoenix_fixture_fails_with_setup_advice_when_its_venv_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(phoenix_server, "VENV", tmp_path / "no-venv")
    with pytest.raises(pytest.fail.Exception, match=r"run \.ci/setup-phoenix\.sh"):
        phoenix_server.start_phoenix(tmp_path)
