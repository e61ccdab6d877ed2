"""The default theme ships inside the wheel as `generator/_theme`, copied from themes/default at build time.

themes/default stays where it is in a checkout (an editable install and `python -m generator` read it
there); a wheel has no checkout next to it, so `build_py` copies the folder into the package it builds.
render/theme.py looks for `generator/_theme` first, then `themes/default` beside the package.
Everything else about the package is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

THEME = Path(__file__).resolve().parent / "themes" / "default"


class BuildPyWithTheme(build_py):
    """build_py, plus the default theme copied to generator/_theme of the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads themes/default from the checkout
        target = Path(self.build_lib) / "generator" / "_theme"
        shutil.copytree(
            THEME,
            target,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*~", ".*"),
        )


setup(cmdclass={"build_py": BuildPyWithTheme})
