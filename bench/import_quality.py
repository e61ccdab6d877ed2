"""How well the seed import reads real texts: entities (P/R per type) and structure (headings, bullets).

    python -m bench.import_quality            # every figure, the three sets apart

Entities are scored on tests/data/news (39 U.S. State Department press statements, public domain,
hand-labelled in labels.yaml; of texts 1-24 the odd numbers tune the rules and the even ones were held
out, but were looked at while tuning; texts 25-39, the "new" held-out set, were added and labelled after
the tuning and are never looked at for it), for three extractors: the
importer as it is (registry + NER), the registry alone (no NER), and spaCy used naively (its PERSON, ORG
and GPE labels as they come). Structure is scored on the 29 State Department texts of
tests/data/seeds/state-dept (truth.jsonl).

Scoring: a found name counts if it is the canonical name or any surface form the labels give (case,
accents, "the", possessives and full stops aside; countries compared by canonical country). Each labelled entity
is found at most once: a second name for it ("UN" beside "United Nations") is a false positive.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from generator.read.countries import country_info
from generator.read.entities import (
    Entities,
    entity_text,
    find_entities,
    load_registry,
)
from generator.read.ner import Mention, find_mentions
from generator.read.seeds import decode_seed, parse_seed

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "tests" / "data" / "news"
STATE = ROOT / "tests" / "data" / "seeds" / "state-dept"
KINDS = ("people", "organisations", "countries")


def norm(name: str, kind: str) -> str:
    """A name as compared: casefolded, without accents, "the", possessives, full stops or extra spaces."""
    if kind == "countries":
        info = country_info(name.strip())
        if info:
            return info.name.casefold()
    name = re.sub(r"['’]s$", "", name.strip())
    name = re.sub(r"^the\s+", "", name, flags=re.I).replace(".", "")
    name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", name).casefold()


NEW_FROM = 25  # texts numbered from here on are the new held-out set


def split_of(name: str) -> str:
    """ "tune", "held-out" or "new" for a file of tests/data/news."""
    number = int(name.split("-")[1])
    if number >= NEW_FROM:
        return "new"
    return "tune" if number % 2 == 1 else "held-out"


def labelled(split: str) -> list[tuple[str, dict[str, list[set[str]]], set[str]]]:
    """(file, {kind: [forms of each entity]}, optional forms) for the texts of a split."""
    labels = yaml.safe_load((NEWS / "labels.yaml").read_text(encoding="utf-8"))
    rows = []
    for name, truth in labels.items():
        if split != "all" and split_of(name) != split:
            continue
        entities = {
            kind: [{norm(f, kind) for f in str(e).split("|")} for e in truth.get(kind) or []]
            for kind in KINDS
        }
        optional = {
            norm(f, k)
            for e in truth.get("optional") or []
            for f in str(e).split("|")
            for k in KINDS
        }
        rows.append((name, entities, optional))
    return rows


def score(
    found: Iterable[str], truth: list[set[str]], optional: set[str], kind: str
) -> tuple[int, int, int, list[str], list[str]]:
    """(true positives, false positives, entities missed, the false names, the missed names)."""
    matched: set[int] = set()
    tp = fp = 0
    wrong = []
    for name in found:
        key = norm(name, kind)
        hit = next((i for i, forms in enumerate(truth) if key in forms), None)
        if hit is not None and hit not in matched:
            matched.add(hit)
            tp += 1
        elif hit is None and key in optional:
            continue
        else:
            fp += 1
            wrong.append(name)
    missed = [sorted(forms)[0] for i, forms in enumerate(truth) if i not in matched]
    return tp, fp, len(missed), wrong, missed


def naive(mentions: Iterable[Mention]) -> Entities:
    """spaCy as it comes: PERSON, ORG and GPE spans, text as found."""
    ms = list(mentions)
    pick = lambda label: tuple(dict.fromkeys(m.text for m in ms if m.label == label))  # noqa: E731
    return Entities(countries=pick("GPE"), people=pick("PERSON"), organisations=pick("ORG"))


def entity_figures(split: str, verbose: bool) -> dict[str, dict[str, tuple[float, float]]]:
    """P/R per kind for each extractor on a split."""
    registry = load_registry(None)
    rows = labelled(split)
    seeds = [parse_seed(decode_seed((NEWS / name).read_bytes())[0]) for name, _, _ in rows]
    texts = [entity_text(s.plain_text(), s.headline) for s in seeds]
    mentions = find_mentions(texts)
    extractors: dict[str, Callable[[int], Entities]] = {
        "importer (registry + NER)": lambda i: find_entities(
            seeds[i].plain_text(), seeds[i].headline, registry, mentions[i]
        ),
        "registry only (before)": lambda i: find_entities(
            seeds[i].plain_text(), seeds[i].headline, registry
        ),
        "spaCy naive": lambda i: naive(mentions[i]),
    }
    result: dict[str, dict[str, tuple[float, float]]] = {}
    for label, extract in extractors.items():
        totals = {k: [0, 0, 0] for k in KINDS}
        for i, (name, truth, optional) in enumerate(rows):
            found = extract(i)
            for kind in KINDS:
                tp, fp, fn, wrong, missed = score(getattr(found, kind), truth[kind], optional, kind)
                totals[kind][0] += tp
                totals[kind][1] += fp
                totals[kind][2] += fn
                if verbose and label.startswith("importer") and (wrong or missed):
                    print(f"  {name[:40]} {kind}: false {wrong} missed {missed}")
        result[label] = {
            k: (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
            for k, (tp, fp, fn) in totals.items()
        }
    return result


def structure_figures() -> dict[str, float]:
    """Headings P/R, lead-in (trap) lines promoted to headings, bullets kept, on the state-dept texts."""
    tp = fp = fn = traps = trap_total = bullets = bullets_want = 0
    for line in (STATE / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        seed = parse_seed(decode_seed((STATE / row["file"]).read_bytes())[0])
        want = {h.rstrip(":") for h in row["headings"]}
        got = set(seed.headings)
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
        trap_lines = {t.rstrip(":") for t in row["short_non_heading_lines"] if t}
        trap_total += len(trap_lines)
        traps += len(trap_lines & got)
        bullets_want += row["bullets"]
        bullets += min(row["bullets"], len(seed.bullets) + len(seed.takeaways))
    return {
        "heading precision": tp / (tp + fp),
        "heading recall": tp / (tp + fn),
        "lead-in lines promoted": traps / max(1, trap_total),
        "bullets kept": bullets / max(1, bullets_want),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--split", choices=("new", "held-out", "tune", "all", "each"), default="each"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    splits = ("new", "held-out", "tune") if args.split == "each" else (args.split,)
    started = time.perf_counter()
    for split in splits:
        print(f"entities, {split} texts of {NEWS.relative_to(ROOT)}:")
        for label, figures in entity_figures(split, args.verbose).items():
            cells = "  ".join(f"{k} P {p:.2f} R {r:.2f}" for k, (p, r) in figures.items())
            print(f"  {label:27} {cells}")
    print(f"structure, {STATE.relative_to(ROOT)} (29 texts):")
    for name, value in structure_figures().items():
        print(f"  {name:24} {value:.3f}")
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
