"""The plugin manager: the hookspecs, plus every plugin installed under the `traceclio` entry-point group.

Built-in stages are found through that same group (see pyproject.toml), so replacing one is a matter of
installing a package whose hookimpl answers first.
"""

from __future__ import annotations

import pluggy

from traceclio_core import hookspecs

ENTRY_POINT_GROUP = "traceclio"


def plugin_manager(extra_plugins: tuple[object, ...] = (), load_entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh manager with the hookspecs, the installed plugins, then `extra_plugins` (which answer first)."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in extra_plugins:
        pm.register(plugin)
    return pm
