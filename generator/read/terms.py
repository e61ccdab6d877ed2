"""Term descriptions written as plain YAML (content/<taxonomy>/<slug>.yaml), read as Documents."""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator.core.errors import SiteError
from generator.core.model import Document
from generator.core.yamltext import control_characters, key_lines, load_yaml
from generator.read.content import clean_body, is_content_name, read_content_bytes


def term_yaml_files(content_dir: Path, taxonomy: str) -> list[Path]:
    """content/<taxonomy>/*.yaml|*.yml: term descriptions as plain YAML (title, description, region...)."""
    base = content_dir / taxonomy
    if not base.is_dir():
        return []
    return sorted(
        p
        for p in base.rglob("*")
        if p.suffix in (".yaml", ".yml") and p.is_file() and is_content_name(p.name)
    )


def read_term_yaml(path: Path) -> Document:
    """A YAML term description as a Document: `description` (Markdown) becomes the body, the rest front matter."""
    data = read_content_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SiteError.at(path, None, "not valid UTF-8; save the file as UTF-8") from None
    meta = load_yaml(path, text) or {}
    if not isinstance(meta, dict):
        raise SiteError.at(
            path, 1, "a term file must be a mapping such as `title: Russia` and `description: ...`"
        )
    lines = key_lines(text)
    if problems := control_characters(path, meta, lines):
        raise SiteError(problems)
    description = meta.pop("description", "") or ""
    if not isinstance(description, str):
        raise SiteError.at(
            path, lines.get("description", 1), "'description' must be text (Markdown)"
        )
    return Document(
        path=path,
        meta=meta,
        body=clean_body(description),
        body_line=lines.get("description", 1),
        meta_lines=lines,
        digest=hashlib.sha256(data).hexdigest(),
    )
