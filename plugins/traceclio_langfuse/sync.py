"""Named clusters back into Langfuse: a categorical score per trace and a dataset per named cluster.

The score is backed by a score config listing every cluster path as a category. Score ids and dataset
item ids are UUIDs derived from the target and the trace, so writing one again replaces it (Langfuse
upserts by id): re-sync is idempotent even without the ledger. Writes go straight to the API, not the
SDK's background score queue, so a failure is seen, retried and kept out of the ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from traceclio_langfuse.client import ClientFactory, langfuse_factory
from traceclio_core.store_location import StoreLocation
from traceclio_core.sync_ledger import PlannedWrite, digest
from traceclio_core.sync_plan import ANNOTATION_NAME, SyncPlan

SCORES_PER_BATCH = 100
# Fixed namespace: the same target and trace always give the same score and item ids.
ID_NAMESPACE = uuid.UUID("5f0c1c4e-7a53-4d0e-9c61-1b6f4f1d2a9e")


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, "|".join(parts)))


@dataclass
class LangfuseWriter:
    location: StoreLocation
    sync_plan: SyncPlan
    client_factory: ClientFactory | None = None

    def __post_init__(self):
        self.target = self.location.uri
        self._client = None
        self._config_id: str | None = None

    @property
    def client(self):
        if self._client is None:
            self._client = (self.client_factory or langfuse_factory())(self.location)
        return self._client

    @property
    def categories(self) -> list[str]:
        return self.sync_plan.categories

    def plan(self) -> list[PlannedWrite]:
        if not self.sync_plan.labels:
            return []  # nothing surfaced: no config, no scores, no datasets
        writes = [PlannedWrite(kind="score_config", key=f"score_config:{digest(self.categories)}",
                               payload={"categories": self.categories},
                               summary=f"create score config {ANNOTATION_NAME!r} with "
                                       f"{len(self.categories)} categories")]
        for label in self.sync_plan.labels:
            writes.append(PlannedWrite(
                kind="score", key=f"score:{label.trace_id}",
                payload={"id": stable_id(self.target, "score", label.trace_id), "trace_id": label.trace_id,
                         "value": label.label, "concern": label.concern, "cluster_id": label.cluster_id},
                summary=f"score trace {label.trace_id}: {label.label!r} (concern {label.concern})"))
        for dataset in self.sync_plan.datasets:
            writes.append(PlannedWrite(
                kind="dataset", key=f"dataset:{dataset.name}",
                payload={"name": dataset.name, "description": f"{dataset.label}: {dataset.description}",
                         "cluster_id": dataset.cluster_id},
                summary=f"create dataset {dataset.name!r}"))
            for exemplar in dataset.exemplars:
                writes.append(PlannedWrite(
                    kind="dataset_item", key=f"item:{dataset.name}:{exemplar.trace_id}",
                    payload={"id": stable_id(self.target, "item", dataset.name, exemplar.trace_id),
                             "dataset_name": dataset.name, "task": exemplar.task, "trace_id": exemplar.trace_id,
                             "cluster": dataset.label, "must_not": dataset.must_not},
                    summary=f"add to {dataset.name!r} an item from trace {exemplar.trace_id}: "
                            f"{exemplar.task!r}"))
        return writes

    def batch_size(self, kind: str) -> int:
        return SCORES_PER_BATCH if kind == "score" else 1

    def is_retryable(self, error: Exception) -> bool:
        import httpx
        from langfuse.api.core import ApiError

        if isinstance(error, ApiError):
            return error.status_code is None or error.status_code == 429 or error.status_code >= 500
        return isinstance(error, httpx.TransportError)

    def write(self, kind: str, payloads: Sequence[dict]) -> set[int]:
        api = self.client.api
        no_retries = {"max_retries": 0}  # run_sync retries, with its own bounded backoff
        if kind == "score_config":
            self._config_id = self._find_config() or api.score_configs.create(
                name=ANNOTATION_NAME, data_type="CATEGORICAL", request_options=no_retries,
                categories=[{"label": label, "value": float(i)} for i, label in enumerate(self.categories)],
                description="traceclio cluster path (top › … › leaf) of each trace").id
        elif kind == "score":
            self._config_id = self._config_id or self._find_config()
            api.scores.create(request=[self._score(p, self._config_id) for p in payloads],
                              request_options=no_retries)
        elif kind == "dataset":
            for p in payloads:
                api.datasets.create(name=p["name"], description=p["description"],
                                    metadata={"source": "traceclio", "cluster_id": p["cluster_id"]},
                                    request_options=no_retries)
        elif kind == "dataset_item":
            for p in payloads:
                # A failure cluster's item expects the behaviour not to happen again (its eval case).
                expected = {"must_not": p["must_not"]} if p.get("must_not") else None
                api.dataset_items.create(dataset_name=p["dataset_name"], id=p["id"], input={"task": p["task"]},
                                         expected_output=expected,
                                         source_trace_id=p["trace_id"], request_options=no_retries,
                                         metadata={"source": "traceclio", "cluster": p["cluster"]})
        return set()

    def _score(self, payload: dict, config_id: str | None) -> dict:
        score = {"id": payload["id"], "trace_id": payload["trace_id"], "name": ANNOTATION_NAME,
                 "value": payload["value"], "data_type": "CATEGORICAL",
                 "metadata": {"cluster_id": payload["cluster_id"], "concern": payload["concern"]}}
        if payload["concern"] is not None:
            score["comment"] = f"concern {payload['concern']} of 5"
        if config_id:
            score["config_id"] = config_id
        return score

    def _find_config(self) -> str | None:
        """An unarchived config named like ours with exactly our categories (configs cannot be edited)."""
        page = 1
        while True:
            configs = self.client.api.score_configs.get(page=page, limit=100)
            for config in configs.data:
                labels = sorted(c.label for c in config.categories or [])
                if config.name == ANNOTATION_NAME and not config.is_archived and labels == self.categories:
                    return config.id
            if page >= (configs.meta.total_pages or 1):
                return None
            page += 1
