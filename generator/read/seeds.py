"""Seeds: plain-text news (a headline line, then paragraphs) parsed and turned into a Markdown briefing.

Pure functions, no I/O: `decode_seed` (bytes -> text), `parse_seed` (text -> Seed); `read/seed_markdown`
writes a Seed as the briefing file's text and `read/importer` does the disk side.

The reading rules, measured against the state-dept corpus (tests/data/seeds/state-dept, truth.jsonl):
- line 1 is the headline; `- `, `* `, `• ` lines are bullets (blank lines between them or not);
- lines are joined into one paragraph when the text is hard-wrapped (a full-width line runs on), when a
  line starts in lower case, or when the previous line ends with a comma or an unfinished phrase;
- a heading is a short line without final sentence punctuation that is followed by content, and is not
  a byline ("Office of the Spokesperson", "By Jane Doe"), a dateline, a quote attribution ("– President
  Biden, June 11, 2021"), a lead-in ("Begin text:", "Milestones include:") or a trailer ("End Text");
  a line ending in ':' is a heading only when it is in Title Case, and the colon is dropped;
- a "Key Takeaways" / "Key points" / "Bottom line" / "Takeaways" section becomes `takeaways`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from generator.core.errors import Problem, SiteError

SUMMARY_LIMIT = 300

# --- decoding ------------------------------------------------------------------------------------------

_LINE_SEPARATORS = re.compile("\r\n|\r|\u2028|\u2029|\x85")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_seed(data: bytes, path: object = "<seed>") -> tuple[str, str]:
    """(text, encoding) of a seed file: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252, else Latin-1."""
    if not data.strip():
        raise SiteError(
            Problem(
                str(path), None, "empty seed: write a headline on the first line, then the text"
            )
        )
    text: str | None = None
    encoding = ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            text = None
    if text is None:
        nuls = data.count(b"\x00")
        if nuls > max(2, len(data) // 20):
            raise SiteError(
                Problem(
                    str(path),
                    None,
                    f"binary file ({nuls} NUL bytes), not a text seed; save it as plain text (UTF-8)",
                )
            )
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        assert text is not None  # latin-1 decodes any bytes
        if encoding == "utf-8-sig":
            encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        elif encoding == "cp1252":
            encoding = "windows-1252"
        else:
            encoding = "iso-8859-1"
    text = text.lstrip("\ufeff")
    controls = len(_CONTROL.findall(text.replace("\x00", "")))
    if controls > max(2, len(text) // 50):
        raise SiteError(
            Problem(
                str(path),
                None,
                f"binary file ({controls} control characters), not a text seed; save it as plain text (UTF-8)",
            )
        )
    text = _LINE_SEPARATORS.sub("\n", text)
    text = _CONTROL.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", text)
    if not text.strip():
        raise SiteError(
            Problem(
                str(path), None, "empty seed: write a headline on the first line, then the text"
            )
        )
    return text, encoding


# --- the parsed seed -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One piece of a seed's body: a heading, a paragraph or a bullet list."""

    kind: Literal["heading", "paragraph", "bullets", "numbered"]
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Seed:
    """A seed as read: headline, body blocks in order, takeaways lifted out, and what the top lines said."""

    headline: str
    blocks: tuple[Block, ...]
    takeaways: tuple[str, ...] = ()
    dateline: date | None = None
    byline: str = ""
    lead_lines: tuple[str, ...] = field(default=())  # dateline/byline lines dropped from the body

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if b.kind == "heading")

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if b.kind == "paragraph")

    @property
    def bullets(self) -> tuple[str, ...]:
        return tuple(item for b in self.blocks if b.items for item in b.items)

    def plain_text(self) -> str:
        """Every word of the body and takeaways (not the headline), one block per line: for entity finding."""
        parts: list[str] = []
        for b in self.blocks:
            parts.extend(b.items or (b.text,))
        parts.extend(self.takeaways)
        return "\n".join(parts)


# --- line shapes ---------------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*•‣◦▪●]|\u2043)\s+(?=\S)")
_NUMBERED = re.compile(r"^\s*\(?(\d{1,2})[.)]\s+(?=\S)")
# A line ending in one of these (in lower case) opens a sentence the next lines finish: "Together, the
# United States and Japan will", "Possible issues on which Members of Congress could engage include".
_LEAD_IN_ENDS = frozenset(
    "will would shall can could should must may might include includes including are is were was be "
    "have has had following follows these those such".split()
)
_TERMINAL = ".!?;,…"
_CLOSERS = "\"'”’»)]"
_SMALL_WORDS = frozenset(
    (
        "a an the and or but nor for of on in to at by with from as per via vs into onto over under "
        "than that its their our his her is are was were be been has have had will would can could "
        "should may might this these those who which what when where how"
    ).split()
)
_DANGLING = frozenset(
    "a an the and or but nor for of on in to at by with from as per via into onto than that".split()
)
_LEAD_INS = frozenset(
    [
        "begin text",
        "end text",
        "begin transcript",
        "end transcript",
        "begin statement",
        "end statement",
        "text follows",
        "quote",
        "unquote",
        "end",
        "###",
        "-30-",
        "update",
        "updated",
        "editor's note",
        "editors' note",
        "note",
        "advertisement",
    ]
)
_LABEL_LINE = re.compile(
    r"^(?:source|sources|photo|photos|credit|credits|image|via|read more|see also|related|"
    r"reporting by|editing by|writing by|contact|tags|filed under|note)\b\s*:",
    re.I,
)
_BYLINE = re.compile(
    r"^(?:(?i:by)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4}(?:\s*(?:,|and|&)\s*[A-Z][\w.'’ -]*)*"
    r"|(?i:office|bureau) of (?:the )?[A-Z][\w ,.'’&-]*"
    # "Antony J. Blinken, Secretary of State", "Ned Price, Department Spokesperson": name, comma, office
    r"|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,4},\s+[\w ,.'’&-]*\b(?:Secretary|Spokesperson|Minister|"
    r"Ambassador|President|Director|Administrator|Advis[eo]r|Correspondent|Editor|Reporter|Envoy|"
    r"Representative|Coordinator|Spokesman|Spokeswoman)\b[\w ,.'’&-]*"
    r"|(?i:press statement|media note|fact sheet|readout|press release|news release|statement|joint statement)"
    r"(?:\s*[-–—|]\s*.*)?)$"
)
_ATTRIBUTION = re.compile(r"^(?:[–—―~]|-{1,2}(?=\S))\s*|^(?:said|says|according to)\b", re.I)
_TAKEAWAY_LABEL = re.compile(
    r"^(?:the\s+)?(?:key\s+takeaways?|takeaways?|key\s+points?|bottom\s+line|the\s+bottom\s+line)\s*:?\s*$",
    re.I,
)
_TAKEAWAY_INLINE = re.compile(
    r"^(?:the\s+)?(?:key\s+takeaways?|takeaways?|key\s+points?|bottom\s+line)\s*[:—–-]\s+(?P<rest>\S.*)$",
    re.I,
)

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        )
    )
    for m in names.split()
}
_MONTH_RE = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY_RE = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_DATE_FORMS = (
    _WEEKDAY_RE + _MONTH_RE + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})",
    _WEEKDAY_RE + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r",?\s+(?P<year>\d{4})",
    r"(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})",
)
# "WASHINGTON, June 22, 2021", "KYIV, Ukraine (Reuters) —": a city in capitals, maybe a region, maybe an agency.
_PLACE_RE = (
    r"(?:[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][A-Za-z.' -]{1,30})?(?:\s*\([^)]{1,30}\))?\s*,?\s*)?"
)
_DASH_RE = r"\s*(?:[-–—―:|]+\s*)?"
_DATE_LINE = [re.compile(r"^" + _PLACE_RE + form + _DASH_RE + r"$", re.I) for form in _DATE_FORMS]
_DATE_PREFIX = [
    re.compile(r"^" + _PLACE_RE + form + r"\s*(?:[-–—―]+|\(\w+\)\s*[-–—―]+)\s*(?=\S)", re.I)
    for form in _DATE_FORMS
]
_PLACE_PREFIX = re.compile(
    r"^[A-Z][A-Z.'’ -]{2,40}(?:,\s*[A-Z][A-Za-z.' -]{1,30})?(?:\s*\([^)]{1,30}\))?\s*[-–—―]+\s+(?=\S)"
)


def _date_of(match: re.Match[str]) -> date | None:
    parts = match.groupdict()
    try:
        month = (
            int(parts["mnum"]) if parts.get("mnum") else _MONTHS[parts["month"].lower().rstrip(".")]
        )
        return date(int(parts["year"]), month, int(parts["day"]))
    except (ValueError, KeyError, TypeError):
        return None


def dateline_date(line: str) -> date | None:
    """The date of a whole-line dateline ("WASHINGTON, June 22, 2021", "22 November 2026", "2026-11-22")."""
    if len(line) > 90 or not re.search(r"\d{4}", line):
        return None
    for pattern in _DATE_LINE:
        m = pattern.match(line.strip())
        if m:
            return _date_of(m)
    return None


def dateline_prefix(paragraph: str) -> tuple[date | None, str]:
    """(date, rest) for a paragraph opening with a dateline ("June 22, 2021 — The ..."); (None, paragraph) if not."""
    if not re.search(r"\d{4}", paragraph[:90]):
        return None, paragraph
    for pattern in _DATE_PREFIX:
        m = pattern.match(paragraph)
        if m:
            found = _date_of(m)
            if found:
                return found, paragraph[m.end() :]
    return None, paragraph


def _ends_sentence(text: str) -> bool:
    core = text.rstrip().rstrip(_CLOSERS)
    return bool(core) and core[-1] in _TERMINAL


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_][\w'’.&-]*|\d[\w.,$%-]*", text)


def _title_case(text: str) -> bool:
    """Most significant words start with a capital (or a digit): 'Background on the USRAP'."""
    words = _words(text)
    if not words or not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    significant = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not significant:
        return False
    capital = sum(1 for w in significant if w[0].isupper() or w[0].isdigit())
    return capital / len(significant) >= 0.75


def _starts_lower(text: str) -> bool:
    for ch in text:
        if ch.isalpha():
            return ch.islower()
        if ch.isdigit():
            return False
    return False


def _heading_shape(text: str) -> bool:
    """Looks like a heading by itself: short, no final punctuation, not a byline/date/attribution/lead-in."""
    line = text.strip()
    if not line or len(line) > 120 or not any(ch.isalpha() for ch in line):
        return False
    words = line.split()
    if len(words) > 16 or _ends_sentence(line):
        return False
    first = line[0]
    if first in "\"'“‘«(" or (first.isalpha() and first.islower()):
        return False
    if _ATTRIBUTION.match(line) or _BYLINE.match(line) or _LABEL_LINE.match(line):
        return False
    if dateline_date(line) or re.fullmatch(r"[\d\s/.:-]+", line):
        return False
    bare = line.rstrip(":").strip()
    if bare.casefold() in _LEAD_INS or bare.casefold().startswith(("begin text", "end text")):
        return False
    last = re.sub(r"[^\w]+$", "", words[-1])
    if len(words) > 1 and (last.lower() in _DANGLING or (last.islower() and last in _LEAD_IN_ENDS)):
        return False
    # A line ending in ":" that is neither a takeaway label nor in title case is a lead-in:
    # "Milestones include:", "The ACA activity will cover two key elements:".
    return not (line.endswith(":") and not _takeaway_label(line) and not _title_case(bare))


def _takeaway_label(text: str) -> bool:
    return bool(_TAKEAWAY_LABEL.match(text.strip()))


# --- parsing -------------------------------------------------------------------------------------------


@dataclass
class _Unit:
    kind: Literal["line", "bullet", "number"]
    text: str
    last: str  # the last physical line, for run-on decisions
    blank_before: bool


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _wrap_width(lines: list[str]) -> int:
    """The hard-wrap width if the text looks hard-wrapped (no line beyond 100 characters, several near it), else 0."""
    lengths = [len(ln.strip()) for ln in lines if ln.strip() and not _BULLET.match(ln)]
    if len(lengths) < 3 or max(lengths) > 100:
        return 0
    width = max(lengths)
    return width if sum(1 for n in lengths if n >= 0.6 * width) >= 2 and width >= 40 else 0


def _runs_on(prev: _Unit, line: str, indented: bool, width: int) -> bool:
    """True if `line` continues the unit before it rather than starting a new block."""
    last = prev.last.rstrip()
    if (
        _BULLET.match(line)
        or dateline_date(prev.text)
        or dateline_date(line)
        or _BYLINE.match(prev.text)
    ):
        return False
    if _NUMBERED.match(line):
        return False
    if prev.kind != "line" and indented:
        return True
    if _starts_lower(line) and not last.endswith(":"):
        return True
    if last.endswith((",", "-")) and not last.endswith(" -"):
        return True
    if width and len(last) >= 0.6 * width and not last.endswith(":"):
        # a short Title Case line after a finished sentence is a heading, not the paragraph's next line
        return not (
            _ends_sentence(last)
            and len(line) < 0.6 * width
            and _heading_shape(line)
            and _title_case(line)
        )
    if (
        prev.kind == "line"
        and not _ends_sentence(last)
        and not last.endswith(":")
        and not _heading_shape(prev.text)
    ):
        # "He met with" / "Emmanuel Macron": an unfinished phrase runs on; a long unpunctuated paragraph
        # line followed by a heading-shaped line is more likely a paragraph that lacks its full stop.
        return len(prev.text) <= 120 or not _heading_shape(line)
    return False


def _join(a: str, b: str) -> str:
    if re.search(r"[^\W\d_]-$", a) and _starts_lower(b):
        return a + b  # a word broken at a hyphen keeps it: "long-" + "term"
    return a + " " + b


def _units(lines: list[str]) -> list[_Unit]:
    width = _wrap_width(lines)
    units: list[_Unit] = []
    blank = False
    for raw in lines:
        if not raw.strip():
            blank = True
            continue
        indented = raw[:1].isspace()
        bullet = _BULLET.match(raw)
        number = _NUMBERED.match(raw)
        prev = units[-1] if units else None
        if bullet:
            units.append(_Unit("bullet", _clean(raw[bullet.end() :]), raw.strip(), blank))
        elif number:
            units.append(_Unit("number", _clean(raw[number.end() :]), raw.strip(), blank))
        elif prev and not blank and _runs_on(prev, raw.strip(), indented, width):
            prev.text = _join(prev.text, _clean(raw))
            prev.last = raw.strip()
        elif (
            prev
            and blank
            and prev.kind == "line"
            and prev.text.endswith(",")
            and (dateline_date(raw.strip()) or not _heading_shape(raw.strip()))
        ):
            # "– Joint statement of ...,\n\nMarch 11, 2021"
            prev.text = _join(prev.text, _clean(raw))
            prev.last = raw.strip()
        else:
            units.append(_Unit("line", _clean(raw), raw.strip(), blank))
        blank = False
    # "1. " alone is a numbered heading or sentence; two or more in a row make an ordered list
    for i, unit in enumerate(units):
        if unit.kind == "number" and not any(
            0 <= j < len(units) and units[j].kind == "number" for j in (i - 1, i + 1)
        ):
            unit.kind, unit.text = (
                "line",
                _clean(unit.last) if unit.text in unit.last else unit.text,
            )
    return units


def parse_seed(text: str, path: object = "<seed>") -> Seed:
    """Read a seed's text into headline, blocks, takeaways, dateline and byline; SiteError if it has no headline."""
    lines = text.split("\n")
    start = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if start is None:
        raise SiteError(
            Problem(
                str(path), None, "empty seed: write a headline on the first line, then the text"
            )
        )
    headline = _clean(re.sub(r"^\s*#+\s+", "", lines[start]))
    if len(headline) > 250:
        raise SiteError(
            Problem(
                str(path),
                start + 1,
                f"no headline: the first line is {len(headline)} characters long; "
                "start the seed with a short headline line",
            )
        )
    units = _units(lines[start + 1 :])

    # Bylines and datelines at the top (before the first real paragraph) are metadata, not body.
    byline = ""
    dateline: date | None = None
    lead: list[str] = []
    while units and units[0].kind == "line" and len(lead) < 3:
        first = units[0].text
        if not byline and _BYLINE.match(first) and len(first.split()) <= 10:
            byline = first
        elif dateline is None and dateline_date(first):
            dateline = dateline_date(first)
        else:
            break
        lead.append(first)
        units.pop(0)

    # A heading must be followed by content: a paragraph, bullets, or a heading that is itself followed by content.
    is_heading = [False] * len(units)
    content_after = False
    for i in range(len(units) - 1, -1, -1):
        unit = units[i]
        if unit.kind != "line":
            content_after = True
            continue
        heading = content_after and (_heading_shape(unit.text) or _takeaway_label(unit.text))
        is_heading[i] = heading
        content_after = True

    blocks: list[Block] = []
    takeaways: list[str] = []
    in_takeaways = False
    for unit, heading in zip(units, is_heading, strict=False):
        if heading:
            title = unit.text.rstrip(":").rstrip()
            in_takeaways = _takeaway_label(unit.text)
            if not in_takeaways:
                blocks.append(Block("heading", title))
            continue
        inline = _TAKEAWAY_INLINE.match(unit.text) if unit.kind == "line" else None
        if in_takeaways or inline:
            if unit.kind != "line":
                takeaways.append(unit.text)
            else:
                takeaways.extend(split_sentences(inline.group("rest") if inline else unit.text))
            continue
        if unit.kind != "line":
            kind: Literal["bullets", "numbered"] = (
                "bullets" if unit.kind == "bullet" else "numbered"
            )
            if blocks and blocks[-1].kind == kind:
                blocks[-1] = Block(kind, items=(*blocks[-1].items, unit.text))
            else:
                blocks.append(Block(kind, items=(unit.text,)))
        else:
            blocks.append(Block("paragraph", unit.text))

    if dateline is None:
        for b in blocks[:2]:
            if b.kind == "paragraph":
                dateline, _ = dateline_prefix(b.text)
                break
    return Seed(
        headline=headline,
        blocks=tuple(blocks),
        takeaways=tuple(t for t in takeaways if t),
        dateline=dateline,
        byline=byline,
        lead_lines=tuple(lead),
    )


# --- sentences and summary -----------------------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    (
        "mr mrs ms dr st gen sen rep gov lt col maj capt sgt adm prof jr sr inc ltd co corp vs etc "
        "no nos fig jan feb mar apr jun jul aug sep sept oct nov dec approx est dept univ ave mt ft "
        "pres amb"
    ).split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9À-Ý])")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, not at abbreviations ("U.S.", "Mr.", "Antony J. Blinken")."""
    sentences: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start() + 1]
        token = re.search(r"(\S+)$", before)
        word = token.group(1).rstrip(".").lstrip("\"'“‘(") if token else ""
        if text[m.start()] == "." and (
            word.lower() in _ABBREVIATIONS or re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word)
        ):
            continue
        sentences.append(text[start : m.end()].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def summarize(paragraph: str, limit: int = SUMMARY_LIMIT) -> str:
    """The paragraph's leading sentences that fit in `limit` characters; a long first sentence cut at a word."""
    _, paragraph = dateline_prefix(paragraph)
    m = _PLACE_PREFIX.match(paragraph)
    if m:
        paragraph = paragraph[m.end() :]
    paragraph = paragraph.strip()
    summary = ""
    for sentence in split_sentences(paragraph):
        candidate = f"{summary} {sentence}".strip()
        if len(candidate) > limit:
            break
        summary = candidate
    if summary:
        return summary
    cut = paragraph[: limit - 1]
    if len(paragraph) > limit - 1 and " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:–—-") + ("…" if len(cut) < len(paragraph) else "")
