"""The NER model: loaded as pinned, the same mentions however it is run (batched, forked, numpy's BLAS)."""

from __future__ import annotations

from pathlib import Path

import spacy

from generator.read import ner
from generator.read.entities import entity_text
from generator.read.seeds import decode_seed, parse_seed

NEWS = Path(__file__).parent / "data" / "news"


def news_texts() -> list[str]:
    seeds = [parse_seed(decode_seed(p.read_bytes())[0]) for p in sorted(NEWS.glob("*.txt"))]
    return [entity_text(s.plain_text(), s.headline) for s in seeds]


def test_only_the_ner_component_runs():
    assert ner.load_model().pipe_names == ["ner"]


def test_numpy_matrix_products_find_what_blis_finds():
    """The model runs on numpy's BLAS, which is faster here; thinc's default (blis) finds the same."""
    texts = news_texts()[:8]
    blis_model = spacy.load(ner.model_dir(), exclude=ner._NOT_NEEDED)
    assert blis_model.get_pipe("ner").model.ops.use_blis
    assert not ner.load_model().get_pipe("ner").model.ops.use_blis
    assert ner.mentions_in(texts) == [ner._mentions(doc) for doc in blis_model.pipe(texts)]


def test_batched_and_forked_runs_find_what_one_text_at_a_time_finds(monkeypatch):
    texts = news_texts()
    assert len(texts) >= ner.MIN_TEXTS
    one_by_one = [ner._mentions(ner.load_model()(t)) for t in texts]
    monkeypatch.setattr(ner, "_SEEN", {})
    assert ner.find_mentions(texts, jobs=2) == one_by_one
    monkeypatch.setattr(ner, "_SEEN", {})
    assert ner.find_mentions(texts, jobs=1) == one_by_one
