"""traceclio_phoenix plugin: read traces from phoenix:// locations; add the `traceclio sync` command.

The sync command lives here for both stores and dispatches by the target's scheme.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from traceclio_core.hookspecs import hookimpl


@hookimpl
def traceclio_load_traces(locations: list[str], settings, rejects) -> Iterable | None:
    from traceclio_phoenix.store_location import store_of

    mine = [loc for loc in locations if store_of(loc) == "phoenix"]
    if not mine:
        return None
    return _traces(mine, settings, rejects)


def _traces(locations: list[str], settings, rejects) -> Iterator:
    import os

    from traceclio_phoenix.source import load_traces
    from traceclio_phoenix.store_location import parse_location

    for uri in locations:
        factory = settings.plugin_options.get("phoenix", {}).get("client_factory")
        location = parse_location(uri, os.environ.get("PHOENIX_COLLECTOR_ENDPOINT"))
        yield from load_traces(location, settings, rejects, **({"client_factory": factory} if factory else {}))


@hookimpl
def traceclio_cli_commands(app) -> None:
    from traceclio_phoenix.sync_command import sync

    app.command(name="sync")(sync)
