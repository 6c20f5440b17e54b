"""The default embedder runs on numpy alone and gives the vectors sentence-transformers' StaticEmbedding gave."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from traceclio_core import cli, facet_table
from traceclio_core.errors import ConfigurationError
from traceclio_core.plugins import plugin_manager
from traceclio_core.render import Axis
from traceclio_core.settings import Settings

from traceclio_embed import embedder as embedder_plugin
from traceclio_embed.static import PACKAGED_STATIC, StaticEmbedder

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample-traces.jsonl.zst"
TRANSFORMER_STACK = ("torch", "transformers", "sentence_transformers", "model2vec")

# The README's first command, in a process where the transformer stack cannot be imported at all.
NO_TORCH_RUN = """
import json, sys

class Blocked:  # `import torch` (or any of the stack) raises ImportError, as where it is not installed
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in {stack!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Blocked)
from traceclio_core.cli import app
try:
    app(["run", {sample!r}, "--out", {out!r}, "--cache-dir", {cache!r}])
except SystemExit as stop:
    assert not stop.code, stop.code
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {stack!r})
print(json.dumps(loaded))
"""


@pytest.fixture(scope="module")
def no_torch_run(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("no-torch")
    out, cache = root / "run", root / "cache"
    code = NO_TORCH_RUN.format(stack=TRANSFORMER_STACK, sample=str(SAMPLE), out=str(out), cache=str(cache))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    return out, cache


def facet_texts(run_dir: Path) -> list[str]:
    """Every distinct text the sample's fact table renders to, along every axis."""
    rows = facet_table.read(run_dir / facet_table.FILE_NAME)
    pm = plugin_manager()
    names = Axis(Settings(), pm).names()
    axes = [Axis(Settings(facets=(name,)), pm) for name in names]
    return sorted({axis.text(row) for row, _ in rows for axis in axes} - {""})


def test_the_default_run_needs_no_torch_and_keeps_the_vector_cache_key(no_torch_run):
    out, cache = no_torch_run
    clusters = json.loads((out / "clusters.json").read_text())["clusters"]
    assert any(c["surfaced"] and c["title"] for c in clusters)
    # The cache directory is named after the model id, unchanged from the sentence-transformers path:
    # vectors cached before this embedder ran on numpy are still found.
    assert StaticEmbedder.model_id == "static-minilm-256:53aa51172d14"
    key = hashlib.sha1(StaticEmbedder.model_id.encode()).hexdigest()[:16]
    shards = list((cache / "embeddings" / key).glob("*.npz"))
    assert shards
    # One shard per embedding pass (the leaves' facet texts, then each level's names): take the facet texts'.
    keys, vectors = [], []
    for path in shards:
        with np.load(path) as shard:
            keys += shard["keys"].tolist()
            vectors.append(shard["vectors"])
    vectors = np.concatenate(vectors)
    texts = {hashlib.sha1(t.encode()).hexdigest(): t for t in facet_texts(out)}
    found = [i for i, k in enumerate(keys) if k in texts]
    assert found
    again = StaticEmbedder().embed([texts[keys[i]] for i in found])
    assert np.array_equal(again, vectors[found])


def test_static_vectors_equal_those_of_sentence_transformers_static_embedding(no_torch_run):
    pytest.importorskip("sentence_transformers", reason="the comparison needs `pip install 'traceclio[transformers]'`")
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    texts = facet_texts(no_torch_run[0])
    assert len(texts) >= 300
    # How traceclio loaded this embedder before it ran on numpy.
    model = SentenceTransformer(modules=[StaticEmbedding.from_model2vec(str(PACKAGED_STATIC))], device="cpu")
    before = model.encode(texts, batch_size=256, normalize_embeddings=True, show_progress_bar=False,
                          convert_to_numpy=True).astype(np.float32)
    now = StaticEmbedder().embed(texts)
    assert now.dtype == np.float32 and now.shape == before.shape == (len(texts), 256)
    identical = np.all(now == before, axis=1)
    # torch reduces a norm in an order of its own (it differs between CPUs too): where that order moves
    # a float16 rounding, a row differs by one float16 step.
    assert identical.mean() >= 0.99, f"{(~identical).sum()} of {len(texts)} rows differ"
    cosine = (now * before).sum(1) / (np.linalg.norm(now, axis=1) * np.linalg.norm(before, axis=1))
    assert cosine.min() > 0.9999


def test_a_text_without_tokens_gets_a_zero_vector_not_nan():
    vectors = StaticEmbedder().embed(["", "   ", "retries a rate-limited call"])
    assert np.isfinite(vectors).all()
    assert not vectors[:2].any()
    assert np.linalg.norm(vectors[2]) == pytest.approx(1.0, abs=1e-3)


def test_a_damaged_packaged_model_is_refused(tmp_path):
    for name in ("config.json", "tokenizer.json"):
        (tmp_path / name).write_bytes((PACKAGED_STATIC / name).read_bytes())
    (tmp_path / "model.safetensors").write_bytes((PACKAGED_STATIC / "model.safetensors").read_bytes()[:-8])
    with pytest.raises(ConfigurationError, match="sha256"):
        StaticEmbedder(tmp_path)


def test_a_transformer_embedder_without_the_extra_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'traceclio\[transformers\]'"):
        embedder_plugin.build_embedder("minilm")


def test_the_cli_names_the_extra_when_a_transformer_embedder_cannot_load(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    monkeypatch.setattr(embedder_plugin, "_loaded", {})
    result = CliRunner().invoke(cli.app, ["run", str(SAMPLE), "--out", str(tmp_path / "out"), "--cache-dir",
                                          str(tmp_path / "cache"), "--embedder", "minilm"])
    assert result.exit_code == 2
    assert "pip install 'traceclio[transformers]'" in " ".join(result.output.split())


def test_the_rebuild_check_accepts_float_rounding_and_refuses_a_changed_model(tmp_path):
    """`build_static --check` on another CPU: torch rounds a few float16 entries a step differently, which
    is the same model; a row that moved (another model, another PCA) is not."""
    import numpy as np
    from safetensors.numpy import load_file, save_file

    from traceclio_embed.build_static import compare_embeddings
    from traceclio_embed.static import PACKAGED_STATIC

    shipped = PACKAGED_STATIC / "model.safetensors"
    tensors = load_file(str(shipped))
    name = next(iter(tensors))
    rounded = tensors[name].copy()
    # One float16 step up on every 25th entry: what another CPU's kernels do to a rebuild.
    flat = rounded.reshape(-1).view(np.int16)
    flat[::25] += 1
    save_file({name: rounded}, str(tmp_path / "rounded.safetensors"))
    same, how = compare_embeddings(shipped, tmp_path / "rounded.safetensors")
    assert same, how
    assert "entries differ" in how

    moved = tensors[name].copy()
    moved[7] = -moved[7]  # one token's vector turned around
    save_file({name: moved}, str(tmp_path / "moved.safetensors"))
    same, how = compare_embeddings(shipped, tmp_path / "moved.safetensors")
    assert not same, how

    save_file({name: tensors[name][:-1]}, str(tmp_path / "short.safetensors"))
    assert not compare_embeddings(shipped, tmp_path / "short.safetensors")[0]


def test_texts_tokenised_in_batches_get_the_vectors_they_get_one_at_a_time(monkeypatch):
    from traceclio_embed import static

    embedder = StaticEmbedder()
    texts = ["answer claims a change", "", "a tool call fails, then the same call runs again", "one tool call",
             "the request's figure is sent as another"]
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    monkeypatch.setattr(static, "ENCODE_BATCH", 2)
    assert np.array_equal(embedder.embed(texts), alone)
