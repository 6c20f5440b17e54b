"""Every model-written stage finds its versioned prompt template, wherever the package is installed from."""

import pytest

from traceclio_anthropic import prompts

MODEL_WRITTEN_STAGES = ["facets", "name_cluster", "propose_parents", "dedupe_parents", "assign_parent",
                        "rename_parent", "audit"]


@pytest.mark.parametrize("stage", MODEL_WRITTEN_STAGES)
def test_every_model_written_stage_finds_its_prompt_template(stage):
    template = prompts.load(stage)
    assert template.version.startswith(f"{stage}.v")
    assert template.system.template and template.user.template
