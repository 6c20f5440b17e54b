"""Bulk answers through the Message Batches API (half price): submit, poll, resume, match by custom_id.

A batch's id is written to cache_dir/anthropic/batches/<key>.json before polling starts, keyed by what
was asked; an interrupted run that asks the same again picks the batch up instead of paying twice.
Results come back unordered and are matched by custom_id; errored, expired and canceled items come back
as reasons, for the caller to retry directly once or record as failures.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from traceclio_anthropic import transport
from traceclio_anthropic.transport import Asker, Prompt, answer_text

log = logging.getLogger("traceclio.anthropic")
# The API takes up to 100,000 requests per batch; smaller batches finish sooner and resume cheaper.
MAX_BATCH_REQUESTS = 10_000


class BatchItemFailed(str):
    """A batch item that produced no answer: the reason (errored: ..., expired, canceled)."""


def _state_path(directory: Path, prompts: dict[str, Prompt]) -> Path:
    digest = hashlib.sha256("\n".join(f"{cid}:{p.key}" for cid, p in sorted(prompts.items())).encode())
    return directory / "batches" / f"{digest.hexdigest()[:32]}.json"


def run_batch(asker: Asker, prompts: dict[str, Prompt]) -> dict[str, str | BatchItemFailed]:
    """custom_id → answer text, or BatchItemFailed. Resumes a batch left running by an interrupted run."""
    out: dict[str, str | BatchItemFailed] = {}
    ids = sorted(prompts)
    for start in range(0, len(ids), MAX_BATCH_REQUESTS):
        chunk = {cid: prompts[cid] for cid in ids[start:start + MAX_BATCH_REQUESTS]}
        out.update(_run_one(asker, chunk))
    return out


def _run_one(asker: Asker, prompts: dict[str, Prompt]) -> dict[str, str | BatchItemFailed]:
    client = asker.client
    state = _state_path(asker.session.cache_dir, prompts)
    batch_id = None
    if state.exists():
        batch_id = json.loads(state.read_text()).get("batch_id")
        log.info("resuming message batch %s", batch_id)
    if batch_id is None:
        batch = client.messages.batches.create(
            requests=[{"custom_id": cid, "params": prompt.params()} for cid, prompt in prompts.items()])
        batch_id = batch.id
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps({"batch_id": batch_id, "requests": len(prompts)}))
        log.info("submitted message batch %s (%d requests)", batch_id, len(prompts))
    while True:
        batch = client.messages.batches.retrieve(batch_id)
        if batch.processing_status == "ended":
            break
        transport.sleep(asker.session.options.poll_seconds)
    out: dict[str, str | BatchItemFailed] = {}
    for item in client.messages.batches.results(batch_id):
        prompt = prompts.get(item.custom_id)
        if prompt is None:
            continue  # not ours (cannot happen with our own ids; ignore rather than crash)
        result = item.result
        if result.type == "succeeded":
            asker.session.ledger.record(prompt.stage, prompt.model, result.message.usage, batch=True)
            out[item.custom_id] = answer_text(result.message)
        elif result.type == "errored":
            error = getattr(getattr(result, "error", None), "error", None)
            out[item.custom_id] = BatchItemFailed(f"errored: {getattr(error, 'type', 'error')}: "
                                                  f"{getattr(error, 'message', '')}"[:200])
        else:
            out[item.custom_id] = BatchItemFailed(result.type)
    for cid in prompts:
        out.setdefault(cid, BatchItemFailed("missing from batch results"))
    state.unlink(missing_ok=True)
    return out
