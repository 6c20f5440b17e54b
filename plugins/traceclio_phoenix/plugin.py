"""traceclio_phoenix plugin: read traces from phoenix:// locations; write surfaced clusters back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from traceclio_core.hookspecs import hookimpl


@hookimpl
def traceclio_load_traces(locations: list[str], settings, rejects) -> Iterable | None:
    from traceclio_core.store_location import store_of

    mine = [loc for loc in locations if store_of(loc) == "phoenix"]
    if not mine:
        return None
    return _traces(mine, settings, rejects)


def _traces(locations: list[str], settings, rejects) -> Iterator:
    import os

    from traceclio_phoenix.source import load_traces
    from traceclio_core.store_location import parse_location

    for uri in locations:
        factory = settings.plugin_options.get("phoenix", {}).get("client_factory")
        location = parse_location(uri, os.environ.get("PHOENIX_COLLECTOR_ENDPOINT"))
        yield from load_traces(location, settings, rejects, **({"client_factory": factory} if factory else {}))


@hookimpl
def traceclio_sync_writer(target: str, plan, credentials: dict):
    import os

    from traceclio_core.errors import ConfigurationError
    from traceclio_core.store_location import parse_location, store_of

    if store_of(target) != "phoenix":
        return None
    from phoenix.client import Client

    from traceclio_phoenix.sync import PhoenixWriter

    location = parse_location(target, os.environ.get("PHOENIX_COLLECTOR_ENDPOINT"))
    if not location.project:
        raise ConfigurationError(f"{target}: name the project, phoenix://HOST:PORT/PROJECT")
    api_key = credentials.get("phoenix_api_key") or os.environ.get("PHOENIX_API_KEY") or None
    return PhoenixWriter(location, plan, lambda loc: Client(base_url=loc.base_url, api_key=api_key))
