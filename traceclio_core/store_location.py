"""Where a trace store is and how far back to read: `phoenix://HOST:PORT/PROJECT`, `langfuse://HOST[:PORT]`, `--since`.

Shared by the Phoenix and Langfuse plugins (sources and sync). Loopback hosts are spoken to over http,
every other host over https; `phoenix+http://` / `langfuse+https://` force one or the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from traceclio_core.errors import ConfigurationError

_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class StoreLocation:
    """A parsed store URI: `store` is "phoenix" or "langfuse"; `project` is the path (Phoenix only)."""

    store: str
    base_url: str
    project: str
    options: dict[str, str]
    uri: str


def store_of(uri: str) -> str | None:
    """"phoenix" / "langfuse" for a URI of that store (with or without +http/+https), else None."""
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    store = scheme.split("+", 1)[0]
    return store if store in ("phoenix", "langfuse") else None


def parse_location(uri: str, default_base_url: str | None = None) -> StoreLocation:
    """Parse a store URI; an empty host falls back to `default_base_url` (e.g. from the SDK's env var)."""
    store = store_of(uri)
    if store is None:
        raise ConfigurationError(f"not a trace-store URI: {uri!r} (expected phoenix://… or langfuse://…)")
    parts = urlsplit(uri)
    forced = parts.scheme.partition("+")[2]
    if parts.netloc:
        host = parts.hostname or ""
        transport = forced or ("http" if host in _LOOPBACK else "https")
        base_url = f"{transport}://{parts.netloc}"
    elif default_base_url:
        base_url = default_base_url.rstrip("/")
    else:
        raise ConfigurationError(f"{uri!r} names no host")
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return StoreLocation(store=store, base_url=base_url, project=parts.path.strip("/"), options=options, uri=uri)


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """`7d`, `12h`, `30m`, `2w` before `now`, or an ISO time (UTC if it has no offset); None for None."""
    if not value:
        return None
    now = now or datetime.now(timezone.utc)
    match = _DURATION.match(value)
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigurationError(f"--since takes 7d, 12h, 30m or an ISO time, got {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
