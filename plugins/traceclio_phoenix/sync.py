"""Named clusters back into Phoenix: a root-span annotation per trace and a dataset per named leaf cluster.

Annotations carry the cluster path as label and the trace's concern score (1–5) as score, annotator
kind CODE and a fixed identifier, so a second sync replaces rather than duplicates (Phoenix keys an
annotation by target, name and identifier). They go on each trace's root span, where Phoenix shows
trace-level feedback and where the client can read them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from traceclio_phoenix.source import REQUEST_TIMEOUT, ClientFactory, phoenix_client
from traceclio_core.store_location import StoreLocation
from traceclio_core.sync_ledger import PlannedWrite, digest
from traceclio_core.sync_plan import ANNOTATION_NAME, SyncPlan

IDENTIFIER = "traceclio"
# Root spans are looked up for this many traces per request; annotations are sent in the same batches.
ANNOTATIONS_PER_BATCH = 50


@dataclass
class PhoenixWriter:
    location: StoreLocation
    sync_plan: SyncPlan
    client_factory: ClientFactory = phoenix_client

    def __post_init__(self):
        self.target = self.location.uri
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = self.client_factory(self.location)
        return self._client

    def plan(self) -> list[PlannedWrite]:
        writes = [
            PlannedWrite(kind="annotation", key=f"annotation:{label.trace_id}",
                         payload={"trace_id": label.trace_id, "label": label.label, "score": label.concern,
                                  "cluster_id": label.cluster_id},
                         summary=f"annotate trace {label.trace_id}: {label.label!r} (concern {label.concern})")
            for label in self.sync_plan.labels
        ]
        for dataset in self.sync_plan.datasets:
            # A failure cluster's example expects the behaviour not to happen again (its eval case).
            expected = {"must_not": dataset.must_not} if dataset.must_not else {}
            examples = [{"input": {"task": e.task}, "output": expected,
                         "metadata": {"source_trace_id": e.trace_id, "cluster_id": dataset.cluster_id,
                                      "cluster": dataset.label}}
                        for e in dataset.exemplars]
            writes.append(PlannedWrite(
                kind="dataset", key=f"dataset:{dataset.name}",
                payload={"name": dataset.name, "description": f"{dataset.label}: {dataset.description}",
                         "examples": examples},
                summary=f"create dataset {dataset.name!r} with {len(examples)} exemplar task summaries"))
        return writes

    def batch_size(self, kind: str) -> int:
        return ANNOTATIONS_PER_BATCH if kind == "annotation" else 1

    def write(self, kind: str, payloads: Sequence[dict]) -> set[int]:
        if kind == "annotation":
            return self._annotate(payloads)
        for payload in payloads:
            self._dataset(payload)
        return set()

    def is_retryable(self, error: Exception) -> bool:
        import httpx

        if isinstance(error, httpx.HTTPStatusError):
            status = error.response.status_code
            return status == 429 or status >= 500
        return isinstance(error, httpx.TransportError)

    def _annotate(self, payloads: Sequence[dict]) -> set[int]:
        trace_ids = [p["trace_id"] for p in payloads]
        roots = self.client.spans.get_spans(project_identifier=self.location.project, trace_ids=trace_ids,
                                            parent_id="null", limit=len(trace_ids) * 10, timeout=REQUEST_TIMEOUT)
        root_of = {}
        for span in sorted(roots, key=lambda s: s.get("start_time") or ""):
            root_of.setdefault(span["context"]["trace_id"], span["context"]["span_id"])
        annotations = []
        for payload in payloads:
            if payload["trace_id"] not in root_of:
                continue
            result = {"label": payload["label"]}
            if payload["score"] is not None:
                result["score"] = float(payload["score"])
            annotations.append({
                "name": ANNOTATION_NAME, "annotator_kind": "CODE", "span_id": root_of[payload["trace_id"]],
                "identifier": IDENTIFIER, "result": result,
                "metadata": {"cluster_id": payload["cluster_id"], "source": "traceclio"},
            })
        if annotations:
            self.client.spans.log_span_annotations(span_annotations=annotations, sync=True)
        return {i for i, p in enumerate(payloads) if p["trace_id"] not in root_of}

    def _dataset(self, payload: dict) -> None:
        import httpx

        wanted = digest(payload["examples"])
        try:
            existing = self.client.datasets.get_dataset(dataset=payload["name"], timeout=REQUEST_TIMEOUT)
        except (httpx.HTTPStatusError, ValueError) as err:
            if isinstance(err, httpx.HTTPStatusError) and err.response.status_code != 404:
                raise
            existing = None
        if existing is not None:
            held = [{"input": e["input"], "output": e["output"], "metadata": e["metadata"]}
                    for e in existing.examples]
            if digest(held) == wanted:
                return  # Written by an earlier sync that stopped before its ledger line.
        # Uploading under an existing name makes a new version holding exactly these examples.
        self.client.datasets.create_dataset(
            name=payload["name"], dataset_description=payload["description"],
            inputs=[e["input"] for e in payload["examples"]], outputs=[e["output"] for e in payload["examples"]],
            metadata=[e["metadata"] for e in payload["examples"]], timeout=REQUEST_TIMEOUT,
        )
