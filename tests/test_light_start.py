"""`traceclio --help` and a pytest session of any project with traceclio installed start without the pipeline's
numerical stack: plugins are loaded, their heavy imports wait until a stage runs."""

from __future__ import annotations

import json
import subprocess
import sys

NUMERICAL = ("numpy", "sklearn", "scipy", "pyarrow", "torch", "transformers", "sentence_transformers",
             "tokenizers", "google.protobuf")

HELP = """
import json, sys
from traceclio_core.cli import app
try:
    app(["--help"])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def heavy(modules) -> list[str]:
    return sorted({m for m in modules if any(m == h or m.startswith(h + ".") for h in NUMERICAL)})


def test_help_lists_plugin_commands_without_importing_the_numerical_stack():
    done = subprocess.run([sys.executable, "-c", HELP], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    help_text, modules = done.stdout.rsplit("\n", 2)[0], json.loads(done.stdout.strip().splitlines()[-1])
    assert "export" in help_text and "monitor" in help_text  # commands of the export plugin
    assert "traceclio_kmeans.clusterer" in modules and "traceclio_offline.extractor" in modules
    assert heavy(modules) == []


def test_a_pytest_session_in_another_project_imports_nothing_of_the_pipeline(tmp_path):
    (tmp_path / "test_other.py").write_text("def test_nothing():\n    pass\n")
    # What the session holds once it has collected, written by the other project's own conftest.
    (tmp_path / "conftest.py").write_text(
        "import json, sys\n\n"
        "def pytest_collection_finish(session):\n"
        "    (session.config.rootpath / 'modules.json').write_text(json.dumps(sorted(sys.modules)))\n")
    # arize-phoenix-client registers a pytest plugin of its own (it imports protobuf and httpx): left out,
    # so what is measured is traceclio's.
    done = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider", "-p", "no:phoenix"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    modules = json.loads((tmp_path / "modules.json").read_text())
    assert "traceclio_core.pytest_plugin" in modules  # the plugin is loaded: its option and fixture are there
    assert heavy(modules) == []
    assert not {"traceclio_core.pipeline", "traceclio_core.score", "traceclio_core.recovery"} & set(modules)
