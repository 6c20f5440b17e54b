"""How a Langfuse SDK client is made: from flags or the SDK's own env vars; tests inject their own factory.

A factory takes the parsed location and returns a `langfuse.Langfuse`. Keys are never logged.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from traceclio_core.errors import ConfigurationError
from traceclio_core.store_location import StoreLocation

ClientFactory = Callable[[StoreLocation], Any]


def langfuse_factory(public_key: str | None = None, secret_key: str | None = None) -> ClientFactory:
    """A factory using these keys, else LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY."""

    def make(location: StoreLocation):
        from langfuse import Langfuse

        public = public_key or os.environ.get("LANGFUSE_PUBLIC_KEY")
        secret = secret_key or os.environ.get("LANGFUSE_SECRET_KEY")
        if not public or not secret:
            raise ConfigurationError("Langfuse needs LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY "
                                     "in the environment (traceclio sync also takes --langfuse-public-key and "
                                     "--langfuse-secret-key)")
        # traceclio only reads and writes through the API: no tracing, so no exporter thread is started.
        return Langfuse(public_key=public, secret_key=secret, base_url=location.base_url, tracing_enabled=False)

    return make
