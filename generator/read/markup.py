"""Markdown to HTML: Python-Markdown configured once per site, reset between documents."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Mapping
from typing import Any, ClassVar

import markdown
from markdown import util
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import InlineProcessor, Treeprocessor

from generator.core.budget import OverBudget, call_within
from generator.core.config import Config
from generator.core.errors import SiteError, TooComplex
from generator.core.model import TocEntry
from generator.core.sanitize import sanitize
from generator.read.limits import RENDER_BUDGET, check_markdown
from generator.read.media import Figures

# Defaults for the built-in extensions; a site's `markdown.extension_configs` overrides them per key.
_DEFAULT_CONFIGS: dict[str, dict[str, Any]] = {
    "toc": {
        "permalink": "#",
        "permalink_class": "anchor",
        "permalink_title": "Link to this section",
        "slugify": slugify_unicode,
        "toc_depth": "2-4",
    },
    "smarty": {"smart_angled_quotes": False},
}


# The extensions that ship with Python-Markdown, by the short names its entry points give them.
_BUNDLED = frozenset(
    "abbr admonition attr_list codehilite def_list extra fenced_code footnotes legacy_attrs legacy_em "
    "md_in_html meta nl2br sane_lists smarty tables toc wikilinks".split()
)


def forgo_pygments(extensions: tuple[str, ...]) -> None:
    """Have Pygments count as missing for the rest of this process when none of `extensions` can use it.
    For a throwaway process alone (a text edit's parse, build/text_edits.py): this holds process-wide.
    Python-Markdown's fenced_code (in `extra`) imports codehilite, which imports Pygments if it can: 22 ms,
    a third of that parse. Of the bundled extensions only codehilite highlights with it (fenced_code
    through codehilite's settings); a third-party extension might, so any of those keeps it."""
    without_pygments = _BUNDLED - {"codehilite"}
    if {name.removeprefix("markdown.extensions.") for name in extensions} <= without_pygments:
        # from now on `import pygments` raises ImportError
        sys.modules.setdefault("pygments", None)  # type: ignore[arg-type]


class _Markdown(markdown.Markdown):
    """Python-Markdown that loads its own bundled extensions directly.

    Markdown looks every extension name up among the installed packages' entry points first, and that scan
    of every package's metadata cost each process 20 ms: a third of a text-edit build's work. A bundled name,
    short or dotted, names one module, so it is imported as Markdown would import it; any other name goes
    the usual way.
    """

    def build_extension(self, ext_name: str, configs: Mapping[str, Any]) -> Extension:
        short = ext_name.removeprefix("markdown.extensions.")
        if short in _BUNDLED:
            return importlib.import_module(f"markdown.extensions.{short}").makeExtension(**configs)
        return super().build_extension(ext_name, configs)


class Markup:
    """A configured Markdown converter: `render(text) -> (html, toc)`."""

    def __init__(
        self, extensions: tuple[str, ...], configs: Mapping[str, Any], base_path: str = "/"
    ):
        self._settings = (extensions, configs, base_path)
        self._md = self._converter()

    def _converter(self) -> markdown.Markdown:
        """A Python-Markdown instance set up as the site says (made again after a conversion was stopped)."""
        extensions, configs, base_path = self._settings
        merged: dict[str, dict[str, Any]] = {}
        for name in extensions:
            short = name.rsplit(".", 1)[-1]
            merged[name] = {**_DEFAULT_CONFIGS.get(short, {}), **dict(configs.get(name) or {})}
        # smarty is ~45% of the conversion time; the same substitutions run by FastSmarty give the same HTML.
        smarty = next(
            (
                n
                for n in extensions
                if n in _SMARTY_NAMES and not merged[n].get("smart_angled_quotes")
            ),
            None,
        )
        try:
            md = _Markdown(
                extensions=[n for n in extensions if n != smarty],
                extension_configs={n: c for n, c in merged.items() if n != smarty},
                output_format="html",
            )
            if smarty:
                FastSmarty.register(md, merged[smarty])
        except (ImportError, AttributeError, KeyError, TypeError) as exc:
            raise SiteError.at(
                "site.yaml", None, f"cannot load Markdown extensions {list(extensions)}: {exc}"
            ) from None
        # after inline images and attr_list (priority 8) exist, before site links get the base path
        md.treeprocessors.register(Figures(md), "figures", 5)
        if base_path != "/":
            md.treeprocessors.register(_SiteLinks(md, base_path), "site_links", 1)
        if isinstance(md.treeprocessors["inline"], InlineProcessor):
            md.treeprocessors.register(FastInline(md), "inline", 20)
        _screen_blocks(md)
        return md

    @classmethod
    def for_config(cls, config: Config) -> Markup:
        return cls(config.markdown_extensions, config.markdown_extension_configs, config.base_path)

    def render(self, text: str) -> tuple[str, tuple[TocEntry, ...]]:
        """HTML and table of contents of one Markdown document; TooComplex if it would not render in time
        (read/limits.py), or did not."""
        check_markdown(text)
        md = self._md.reset()
        try:
            converted = call_within(RENDER_BUDGET, lambda: md.convert(text))
        except (OverBudget, RecursionError) as exc:
            self._md = self._converter()  # stopped midway: its state is not to be trusted
            if isinstance(exc, RecursionError):
                raise TooComplex("nested too deeply for Python's stack") from None
            raise TooComplex(
                f"over {RENDER_BUDGET:g} s of CPU time: simplify or split it; "
                "long runs of [, (, < or nested lists and quotes are the usual cause"
            ) from None
        html = sanitize(converted)
        tokens = getattr(md, "toc_tokens", [])
        return html, tuple(_toc_entry(t) for t in tokens)


# Python-Markdown offers every block of a document to each block processor in turn, and most of them search
# the whole block with a regular expression: a quarter of a conversion. None of these can match a block
# holding none of the strings named here (each expression needs one of them literally), so a substring
# test in C turns those blocks away first, with the answer the expression would give. `test` answers
# whether the processor takes the block; these `run`s take the block if their expression matches it and
# otherwise put it back and return False. A processor of another class (an extension's own) is left alone.
_BLOCK_NEEDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # registered name: (processor class, guarded method, strings of which a match holds one)
    "hashheader": ("markdown.blockprocessors.HashHeaderProcessor", "test", ("#",)),
    "setextheader": ("markdown.blockprocessors.SetextHeaderProcessor", "test", ("\n=", "\n-")),
    "hr": ("markdown.blockprocessors.HRProcessor", "test", ("-", "_", "*")),
    "quote": ("markdown.blockprocessors.BlockQuoteProcessor", "test", (">",)),
    "deflist": ("markdown.extensions.def_list.DefListProcessor", "test", (":",)),
    "reference": ("markdown.blockprocessors.ReferenceProcessor", "run", ("]:",)),
    "footnote": ("markdown.extensions.footnotes.FootnoteBlockProcessor", "run", ("[^",)),
    "abbr": ("markdown.extensions.abbr.AbbrBlockprocessor", "run", ("*[",)),
}


def _screen_blocks(md: markdown.Markdown) -> None:
    """Put the substring screens of _BLOCK_NEEDS in front of the block processors they fit."""
    processors = md.parser.blockprocessors
    for name, (kind, method, needs) in _BLOCK_NEEDS.items():
        if name not in processors:
            continue
        processor = processors[name]
        if f"{type(processor).__module__}.{type(processor).__qualname__}" != kind:
            continue
        screen = _screened_test if method == "test" else _screened_run
        setattr(processor, method, screen(getattr(processor, method), needs))


def _screened_test(test: Any, needs: tuple[str, ...]) -> Any:
    def screened(parent: Any, block: str) -> bool:
        return any(n in block for n in needs) and bool(test(parent, block))

    return screened


def _screened_run(run: Any, needs: tuple[str, ...]) -> Any:
    def screened(parent: Any, blocks: list[str]) -> bool:
        return any(n in blocks[0] for n in needs) and bool(run(parent, blocks))

    return screened


_SMARTY_NAMES = ("smarty", "markdown.extensions.smarty")


class FastSmarty(Treeprocessor):
    """Python-Markdown's smarty extension (curly quotes, dashes, ellipses), same patterns, same order, same HTML.

    smarty runs its patterns through a second InlineProcessor, whose per-pattern, per-text-node Python
    overhead made it cost as much as the rest of the conversion. This runs the same regular expressions in
    the same priority order over the same strings (each element's text and tail, code excepted), replacing
    each match by an inline placeholder as smarty's InlineProcessor does, so later patterns see exactly what
    they see there; tests compare the output with smarty's on tricky and real texts.
    """

    _PLACEHOLDER = util.INLINE_PLACEHOLDER_PREFIX + "%04d" + util.ETX
    _PLACEHOLDER_RE = re.compile(
        re.escape(util.INLINE_PLACEHOLDER_PREFIX) + r"(\d{4})" + re.escape(util.ETX)
    )

    def __init__(
        self,
        md: markdown.Markdown,
        patterns: list[tuple[re.Pattern[str], tuple[int | str, ...], tuple[str, ...]]],
    ):
        super().__init__(md)
        self.patterns = patterns

    @classmethod
    def register(cls, md: markdown.Markdown, config: Mapping[str, Any]) -> None:
        from markdown.extensions import smarty as s

        unknown = set(config) - {
            "smart_quotes",
            "smart_angled_quotes",
            "smart_dashes",
            "smart_ellipses",
            "substitutions",
        }
        if unknown:
            raise KeyError(f"smarty has no option {sorted(unknown)[0]!r}")
        sub = {**s.substitutions, **dict(config.get("substitutions") or {})}
        # (priority, regex, replacement, triggers: a pattern cannot match a text holding none of them)
        ranked: list[tuple[int, str, tuple[int | str, ...], tuple[str, ...]]] = []
        if config.get("smart_ellipses", True):
            ranked.append((10, r"(?<!\.)\.{3}(?!\.)", (sub["ellipsis"],), ("...",)))
        if config.get("smart_quotes", True):
            quotes = (
                (s.singleQuoteStartRe, (sub["right-single-quote"],)),
                (s.doubleQuoteStartRe, (sub["right-double-quote"],)),
                (s.doubleQuoteSetsRe, (sub["left-double-quote"] + sub["left-single-quote"],)),
                (s.singleQuoteSetsRe, (sub["left-single-quote"] + sub["left-double-quote"],)),
                (s.doubleQuoteSetsRe2, (sub["right-single-quote"] + sub["right-double-quote"],)),
                (s.singleQuoteSetsRe2, (sub["right-double-quote"] + sub["right-single-quote"],)),
                (s.decadeAbbrRe, (sub["right-single-quote"],)),
                (s.openingSingleQuotesRegex, (1, sub["left-single-quote"])),
                (s.closingSingleQuotesRegex, (sub["right-single-quote"],)),
                (s.closingSingleQuotesRegex2, (sub["right-single-quote"], 1)),
                (s.remainingSingleQuotesRegex, (sub["left-single-quote"],)),
                (s.openingDoubleQuotesRegex, (1, sub["left-double-quote"])),
                (s.closingDoubleQuotesRegex, (sub["right-double-quote"],)),
                (s.closingDoubleQuotesRegex2, (sub["right-double-quote"],)),
                (s.remainingDoubleQuotesRegex, (sub["left-double-quote"],)),
            )
            for index, (regex, replace) in enumerate(quotes):
                ranked.append((30 - index, regex, replace, ("'", '"')))
        if config.get("smart_dashes", True):
            ranked.append((50, r"(?<!-)---(?!-)", (sub["mdash"],), ("---",)))
            ranked.append((45, r"(?<!-)--(?!-)", (sub["ndash"],), ("--",)))
        # the Registry's order (stable for equal priorities: none here)
        ranked.sort(key=lambda r: -r[0])
        patterns = [
            (re.compile(regex, re.DOTALL | re.UNICODE), replace, trigger)
            for _, regex, replace, trigger in ranked
        ]
        md.treeprocessors.register(cls(md, patterns), "smarty", 6)
        md.ESCAPED_CHARS.extend(['"', "'"])

    def run(self, root: Any) -> None:
        for parent in root.iter():
            for child in parent:
                if child.text and not isinstance(child.text, util.AtomicString):
                    child.text = self.educate(child.text)
                if child.tail and not isinstance(child.tail, util.AtomicString):
                    child.tail = self.educate(child.tail)

    def educate(self, text: str) -> str:
        if not ("'" in text or '"' in text or "--" in text or "..." in text):
            return text
        stored: list[str] = []
        for regex, replace, triggers in self.patterns:
            if not any(t in text for t in triggers):
                continue
            start = 0
            while (m := regex.search(text, start)) is not None:
                out = "".join(
                    m.group(part) if isinstance(part, int) else self.md.htmlStash.store(part)
                    for part in replace
                )
                placeholder = self._PLACEHOLDER % len(stored)
                stored.append(out)
                text = text[: m.start()] + placeholder + text[m.end() :]
                start = m.start() + len(placeholder)
        if not stored:
            return text
        return self._PLACEHOLDER_RE.sub(lambda m: stored[int(m.group(1))], text)


class FastInline(InlineProcessor):
    """Python-Markdown's inline pass, skipping each pattern over a text that lacks the character it starts with.

    The inline pass tries every pattern (links, code, emphasis, entities...) on every text of the document,
    ~2 µs a try; a plain news paragraph holds none of their characters. A pattern is skipped only when its
    trigger is absent from the text as it stands at that point, which is exactly when it cannot match, so the
    HTML is unchanged (tests compare it with the stock pass). Patterns of other extensions always run.
    """

    # Registry name -> substrings one of which every match of that pattern contains.
    TRIGGERS: ClassVar[dict[str, tuple[str, ...]]] = {
        "backtick": ("`",),
        "escape": ("\\",),
        "footnote": ("[",),
        "reference": ("[",),
        "link": ("[",),
        "image_link": ("[",),
        "image_reference": ("[",),
        "short_reference": ("[",),
        "short_image_ref": ("[",),
        "autolink": ("<",),
        "automail": ("<",),
        "linebreak": ("  \n",),
        "html": ("<",),
        "entity": ("&",),
    }

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        registry = self.inlinePatterns  # _sort and _priority: private, so not in types-Markdown
        registry._sort()  # type: ignore[attr-defined]
        self._triggers = [
            _triggers(item.name, registry[item.name], self.TRIGGERS)
            for item in registry._priority  # type: ignore[attr-defined]
        ]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if not isinstance(data, util.AtomicString):
            apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
            triggers = self._triggers
            patterns = self.inlinePatterns
            startIndex = 0
            count = len(patterns)
            while patternIndex < count:
                trigger = triggers[patternIndex]
                if trigger is not None and not any(t in data for t in trigger):
                    patternIndex += 1
                    startIndex = 0
                    continue
                data, matched, startIndex = apply(
                    patterns[patternIndex], data, patternIndex, startIndex
                )
                if not matched:
                    patternIndex += 1
        return data


def _triggers(
    name: str, pattern: object, known: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...] | None:
    """What a stock pattern needs in a text to match (emphasis: any of its delimiters); None: always try it."""
    if type(pattern).__module__ not in ("markdown.inlinepatterns", "markdown.extensions.footnotes"):
        return None  # another extension's pattern, or a stock name reused by one
    tokens = getattr(pattern, "tokens", None)  # DelimiterProcessor: '*', and '_' once added
    if isinstance(tokens, list) and tokens and all(isinstance(t, str) and t for t in tokens):
        return tuple(tokens)
    return known.get(name)


class _SiteLinks(Treeprocessor):
    """A root-relative link in content ('/about/') means the site's root: under a subpath it gets the base path."""

    def __init__(self, md: markdown.Markdown, base_path: str):
        super().__init__(md)
        self.base_path = base_path

    def run(self, root: Any) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value and value.startswith("/") and not value.startswith("//"):
                    element.set(attribute, self.base_path + value[1:])


def _toc_entry(token: Mapping[str, Any]) -> TocEntry:
    return TocEntry(
        level=int(token["level"]),
        id=str(token["id"]),
        name=str(token["name"]),
        children=tuple(_toc_entry(c) for c in token.get("children", ())),
    )
