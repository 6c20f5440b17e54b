"""`--engine ray` as a plugin. Ray is imported only when this engine is chosen (the `ray` extra)."""

from __future__ import annotations

from traceclio_core.hookspecs import hookimpl
from traceclio_core.settings import Settings
from traceclio_core.workers import PluginRecipe

NAME = "ray"


@hookimpl(trylast=True)
def traceclio_engine(settings: Settings, plugins: PluginRecipe):
    if settings.engine != NAME:
        return None
    from traceclio_ray.engine import RayEngine

    return RayEngine(settings, plugins)
