"""The one build step pyproject.toml cannot declare: the prompt templates in the top-level prompts/ ship
inside the traceclio_anthropic package, as traceclio_anthropic/prompt_templates/, so a wheel or any other
non-editable install carries them. Package data can only come from a package's own folder, and prompts/
stays at the repository root (the layout shows it as a part of its own). An editable install copies
nothing: traceclio_anthropic.prompts then reads the checkout's prompts/.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PROMPTS = Path("prompts")  # setuptools builds from the project root
PACKAGED_AT = Path("traceclio_anthropic", "prompt_templates")


class BuildPyWithPrompts(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        templates = sorted(PROMPTS.glob("*.md"))
        if not templates:
            # An sdist without prompts/ (see MANIFEST.in) would otherwise build a wheel that fails at run time.
            raise FileNotFoundError(f"no prompt templates under {PROMPTS.resolve()}")
        target = Path(self.build_lib, PACKAGED_AT)
        self.mkpath(str(target))
        for template in templates:
            self.copy_file(str(template), str(target / template.name))


setup(cmdclass={"build_py": BuildPyWithPrompts})
