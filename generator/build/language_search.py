"""The search index of each other language of a multilingual site, under its folder (`fr/search/`): a reader
searches the briefings of the language they read (the default language's index is the Builder's own)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.build.cache import BuildCache
from generator.build.search_index import SearchIndex
from generator.build.write import Content
from generator.core.model import Site


@dataclass
class LanguageIndexes:
    """One SearchIndex per other language, kept across `serve` rebuilds (patched as the default one is)."""

    indexes: dict[str, SearchIndex] = field(default_factory=dict)

    def update(
        self,
        index: SearchIndex,
        site: Site,
        settings: str,
        output: Path,
        previous: Mapping[str, bytes],
        background: bool,
    ) -> Callable[[], dict[str, Content]]:
        """Start bringing the default language's `index` and every other language's up to date (see
        SearchIndex.update); the returned function gives all their files, each under its language's folder."""
        finishes = [("", index.update(site, settings, output, previous, background=background))]
        for other in site.others:
            mine = self.indexes.setdefault(other.lang.code, SearchIndex())
            finishes.append(
                (other.lang.prefix, mine.update(other, settings, output / other.lang.prefix))
            )
        for gone in set(self.indexes) - {o.lang.code for o in site.others}:
            del self.indexes[gone]

        def files() -> dict[str, Content]:
            return {
                prefix + path: data
                for prefix, finish in finishes
                for path, data in finish().items()
            }

        return files

    @classmethod
    def kept_in(cls, cache: BuildCache) -> LanguageIndexes:
        """The indexes the last CLI build kept in .cache/ (none: empty), so that a language none of whose
        briefings changed is not indexed again (patched as the default language's, from the output)."""
        kept = cache.blob(KEPT)
        return kept if isinstance(kept, LanguageIndexes) else cls()

    def keep_in(self, cache: BuildCache) -> None:
        with contextlib.suppress(OSError):
            cache.put_blob(KEPT, self)

    def state(self) -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
        """What is saved of each language's index: changed, it is saved again (Builder._build)."""
        return {code: (index.key, index.docs) for code, index in self.indexes.items()}


KEPT = "search-languages"  # the blob of .cache/ they are kept in between CLI builds
