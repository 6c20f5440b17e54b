"""traceclio_langfuse plugin: read traces from langfuse:// locations; write surfaced clusters back.

A client factory may be injected through settings.plugin_options["langfuse"]["client_factory"]
(tests use it to hand in an SDK client on a mock transport); real runs build one from env vars.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from traceclio_core.hookspecs import hookimpl


@hookimpl
def traceclio_load_traces(locations: list[str], settings, rejects) -> Iterable | None:
    from traceclio_core.store_location import store_of

    mine = [loc for loc in locations if store_of(loc) == "langfuse"]
    if not mine:
        return None
    return _traces(mine, settings, rejects)


def _traces(locations: list[str], settings, rejects) -> Iterator:
    import os

    from traceclio_langfuse.source import load_traces
    from traceclio_core.store_location import parse_location

    factory = settings.plugin_options.get("langfuse", {}).get("client_factory")
    for uri in locations:
        location = parse_location(uri, os.environ.get("LANGFUSE_BASE_URL") or os.environ.get("LANGFUSE_HOST"))
        yield from load_traces(location, settings, rejects, factory)


@hookimpl
def traceclio_sync_writer(target: str, plan, credentials: dict):
    import os

    from traceclio_core.store_location import parse_location, store_of

    if store_of(target) != "langfuse":
        return None
    from traceclio_langfuse.client import langfuse_factory
    from traceclio_langfuse.sync import LangfuseWriter

    location = parse_location(target, os.environ.get("LANGFUSE_BASE_URL") or os.environ.get("LANGFUSE_HOST"))
    factory = langfuse_factory(credentials.get("langfuse_public_key"), credentials.get("langfuse_secret_key"))
    return LangfuseWriter(location, plan, factory)
