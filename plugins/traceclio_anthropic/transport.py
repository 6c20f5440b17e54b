"""Calls to the Messages API: the client, request bodies, retries, the re-ask on a malformed answer, the answer cache.

The client is built by `build_client`, which reads nothing itself: the SDK reads ANTHROPIC_API_KEY and
ANTHROPIC_BASE_URL. `http_client` is the one seam tests replace (with an httpx2.MockTransport), so the real
SDK builds and parses every request. The SDK's own OpenTelemetry spans are switched off: traceclio's calls
must never land in the user's trace store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from traceclio_anthropic.answers import MalformedAnswer, parse_answer, wire_schema
from traceclio_anthropic.pricing import dollars, estimate_tokens
from traceclio_anthropic.session import BackendError, RunSession

log = logging.getLogger("traceclio.anthropic")
# Replaced in tests; `time.sleep` otherwise (backoff and batch polling).
sleep: Callable[[float], None] = time.sleep


def http_client():
    """The httpx2 client the SDK uses; None lets the SDK build its default one."""
    return None


def build_client(session: RunSession):
    import anthropic

    return anthropic.Anthropic(open_telemetry=False, max_retries=session.options.sdk_retries,
                               http_client=http_client())


@dataclass(frozen=True)
class Prompt:
    """One request to one stage, before it is sent: enough to price it, cache it and send it."""

    stage: str  # ledger stage: facets, naming, hierarchy, audit
    version: str  # the template version, e.g. "facets.v1"
    model: str
    system: str
    user: str
    answer: type[BaseModel]
    max_tokens: int

    def params(self) -> dict:
        """The Messages API body: cached system block and a JSON-schema output format."""
        return {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": [{"type": "text", "text": self.system, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": self.user}],
            "output_config": {"format": {"type": "json_schema", "schema": wire_schema(self.answer)}},
        }

    @property
    def key(self) -> str:
        """Cache key: the prompt version, model and exact inputs."""
        digest = hashlib.sha256("\x00".join((self.version, self.model, self.system, self.user)).encode())
        return digest.hexdigest()[:40]

    def estimated_dollars(self, batch: bool = False, output_tokens: int = 200) -> float:
        return dollars(self.model, estimate_tokens(self.system) + estimate_tokens(self.user), output_tokens,
                       batch=batch)


class AnswerCache:
    """Validated answers by prompt key, in cache_dir/anthropic/answers.jsonl (append-only, thread-safe)."""

    def __init__(self, directory: Path):
        self.path = directory / "answers.jsonl"
        self._lock = threading.Lock()
        self._answers: dict[str, dict] | None = None

    def _load(self) -> dict[str, dict]:
        if self._answers is None:
            self._answers = {}
            if self.path.exists():
                for line in self.path.read_text().splitlines():
                    try:
                        entry = json.loads(line)
                        self._answers[entry["key"]] = entry["answer"]
                    except (json.JSONDecodeError, KeyError):
                        continue  # a line cut by an interrupted write: that answer is simply asked again
        return self._answers

    def get(self, prompt: Prompt) -> BaseModel | None:
        with self._lock:
            found = self._load().get(prompt.key)
        return prompt.answer.model_validate(found) if found is not None else None

    def put(self, prompt: Prompt, answer: BaseModel) -> None:
        data = answer.model_dump(mode="json")
        with self._lock:
            self._load()[prompt.key] = data
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a") as handle:
                handle.write(json.dumps({"key": prompt.key, "answer": data}) + "\n")


def retryable(err: Exception) -> bool:
    import anthropic

    if isinstance(err, anthropic.APIConnectionError):
        return True
    return isinstance(err, anthropic.APIStatusError) and (err.status_code in (408, 409, 429) or err.status_code >= 500)


def fatal(err: Exception) -> bool:
    """Errors every later call would hit too: stop the run instead of failing each item."""
    import anthropic

    if isinstance(err, (anthropic.AuthenticationError, anthropic.PermissionDeniedError)):
        return True
    if isinstance(err, TypeError) and "authentication" in str(err):  # no key at all: the SDK raises TypeError
        return True
    return isinstance(err, anthropic.APIStatusError) and err.status_code == 402


def answer_text(message) -> str:
    return "".join(block.text for block in message.content if getattr(block, "type", "") == "text")


class Asker:
    """Sends prompts one at a time: retries with backoff, re-asks once on a malformed answer, caches answers."""

    def __init__(self, session: RunSession, client=None):
        self.session = session
        self._client = client
        self.cache = AnswerCache(session.cache_dir)

    @property
    def client(self):
        if self._client is None:
            self._client = build_client(self.session)
        return self._client

    def send(self, params: dict, stage: str, model: str):
        """One Messages API call with a bounded backoff loop above the SDK's own retries."""
        import anthropic

        options = self.session.options
        for attempt in range(options.retries + 1):
            try:
                message = self.client.messages.create(**params)
            except Exception as err:  # noqa: BLE001 - sorted into fatal / retryable / give up below
                if fatal(err):
                    raise BackendError(f"the Anthropic API refused the call: {err}") from None
                if not retryable(err):
                    raise
                if attempt == options.retries:
                    if isinstance(err, anthropic.APIConnectionError):
                        raise BackendError(f"the Anthropic API cannot be reached: {err}") from None
                    raise
                delay = options.backoff_seconds * 2 ** attempt * (0.5 + random.random() / 2)
                log.info("%s call failed (%s); retrying in %.1f s", stage, type(err).__name__, delay)
                sleep(delay)
                continue
            self.session.ledger.record(stage, model, message.usage)
            return message
        raise AssertionError("unreachable")

    def ask(self, prompt: Prompt, check: Callable[[BaseModel], str | None] | None = None,
            first_answer: str | None = None) -> BaseModel | str:
        """The validated answer, or a reason string when it could not be had (never raises for one item,
        except BackendError). `check` adds a semantic test (e.g. no copied trace content); `first_answer`
        is a text already received (from a batch) to validate before asking directly."""
        cached = self.cache.get(prompt)
        if cached is not None:
            return cached
        params = prompt.params()
        text = first_answer
        problem = None
        for attempt in range(2):
            if text is None:
                try:
                    text = answer_text(self.send(params, prompt.stage, prompt.model))
                except BackendError:
                    raise
                except Exception as err:  # noqa: BLE001 - one item's failure is recorded, not raised
                    return f"API error: {type(err).__name__}: {err}"[:300]
            try:
                answer = parse_answer(text, prompt.answer)
                problem = check(answer) if check else None
            except MalformedAnswer as err:
                answer, problem = None, f"malformed answer ({err})"
            if problem is None:
                self.cache.put(prompt, answer)
                return answer
            if attempt == 0:
                # Re-ask once, showing the model its answer and what was wrong with it.
                params = {**params, "messages": params["messages"] + [
                    {"role": "assistant", "content": text[:4000] or "(empty)"},
                    {"role": "user", "content": f"That answer cannot be used: {problem}. Answer again with only "
                                                "the JSON object the system prompt describes."}]}
                text = None
        return f"{problem} (after one re-ask)"
