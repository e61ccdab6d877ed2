"""What a Builder keeps between builds for `quick`: the last successful build's site, environment and keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.build.keys import PageKeys
from generator.core.model import Site
from generator.read.markup import Markup


@dataclass(frozen=True)
class LastBuild:
    """What `Builder.quick` needs of the last successful build."""

    site: Site
    env: Any
    keys: PageKeys
    markup: Markup
