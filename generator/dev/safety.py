"""Script and style a page's Content-Security-Policy blocks, and script content could have injected: part of
`briefings check`, from the facts check.py gathered in its one parse of the page."""

from __future__ import annotations

from typing import Any

from generator.core.errors import Problem


def safety_problems(facts: Any, rel: str) -> list[Problem]:
    """Script where the Content-Security-Policy forbids it, or where content could have injected it, in the
    page `rel` whose parsed facts (check.HtmlFacts) are given."""
    problems = [Problem(rel, line, what) for line, what in facts.unsafe]
    if facts.csp is not None:
        policy = _csp_directives(facts.csp)
        script_src = policy.get("script-src", policy.get("default-src", ["*"]))
        style_src = policy.get("style-src", policy.get("default-src", ["*"]))
        if "'unsafe-inline'" not in script_src:
            problems += [
                Problem(
                    rel,
                    line,
                    "inline <script> is blocked by the page's Content-Security-Policy; move it to a file",
                )
                for line in facts.inline_scripts
            ]
        if "'unsafe-inline'" not in style_src:
            problems += [
                Problem(
                    rel,
                    line,
                    "inline style is blocked by the page's Content-Security-Policy; use a class and style.css",
                )
                for line in facts.inline_styles
            ]
    return problems


def _csp_directives(policy: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), words[1:])
    return directives
