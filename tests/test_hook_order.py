"""The hookspecs read in the order a run calls them: a run's first call of each hook follows the module."""

import inspect

from builders import AgentRun, write_jsonl
from traceclio_core import hookspecs, pipeline
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings


def test_a_run_calls_its_hooks_in_the_order_hookspecs_lists_them(tmp_path, cache_dir):
    requests = []
    for i in range(12):
        run = AgentRun(f"order-{i}", user="Where is my parcel?")
        run.tool("track", {"id": f"P-{i}"}, result='{"status": "moving"}')
        run.answer("Your parcel is on its way.")
        requests.append(run.request(tenant=f"tenant-{i % 3}"))
    path = write_jsonl(tmp_path / "traces.jsonl", requests)
    pm = plugin_manager()
    called: list[str] = []
    undo = pm.add_hookcall_monitoring(lambda name, impls, kwargs: called.append(name), lambda *a: None)
    try:
        pipeline.run([str(path)], Settings(out_dir=tmp_path / "out", cache_dir=cache_dir, min_tenants=1,
                                           min_traces=2, k=2), pm)
    finally:
        undo()
    declared = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
                if name.startswith("traceclio_")]
    declared.sort(key=lambda name: inspect.getsourcelines(getattr(hookspecs, name))[1])
    first_calls = list(dict.fromkeys(called))
    run_hooks = [name for name in declared if name in first_calls]
    assert first_calls == run_hooks
    # A run calls all but the hooks of other commands (the CLI's, `sync`'s and `export`'s), and those of
    # input read in shards (another engine's, and the workers', called in their own processes).
    assert set(declared) - set(first_calls) <= {"traceclio_cli_commands", "traceclio_sync_writer",
                                                 "traceclio_write_cluster_artefacts", "traceclio_engine",
                                                 "traceclio_read_shard"}
