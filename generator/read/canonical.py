"""From the model's mentions to canonical people and organisations: pure functions, no model, no I/O.

Rules (each with a test in tests/test_canonical.py):
- titles and honorifics are stripped ("Foreign Secretary Jack Straw", "Mr Straw" -> "Jack Straw", "Straw");
  possessives too ("Putin's" -> "Putin");
- a surname or shorter form resolves to the fullest name of the same text that contains it ("Mr Straw" and
  "Straw" -> "Jack Straw"; "Hassan Sheikh" -> "Hassan Sheikh Mohamud"); a lone name with nothing to
  resolve to counts only when the registry knows it or a title stands before it ("President Chakwera");
- the registry gives canonical names for what it knows, and says what is a country or ignored;
- generic phrases ("the government", "the State Department's office"...), newspapers and agencies quoted as
  sources ("The Times said", "told Reuters") are not organisations;
- an abbreviation and its expansion are one organisation ("United Nations (UN)", or "EAS" after
  "East Asia Summit"), named by the expansion;
- an organisation must look like one: the registry knows it, its head (the words before "of", "for"...)
  holds a word such as Ministry, Council, Agency, Bank, Party or Forces, it carries a company form (LLC,
  JSC, Ltd...), or it is an abbreviation the text or the registry expands. Names headed by an event, law,
  programme or document (Summit, Conference, Treaty, Act, Program, Initiative, Day...) are not
  organisations, nor is "the Government of Panama" (the country);
- a span the model cut at an unbalanced bracket loses it ("Mekong-U.S. Partnership (MUSP" -> its name);
- a person's name is not a run of titles ("Sheikh", "Councilor") and does not end in an organisation or
  event word ("Joint Statement"); a name the model cut at a particle or a patronymic is completed from the
  text ("Jean-Yves Le" -> "Jean-Yves Le Drian", "Sergeevich Frank" -> "Gleb Sergeevich Frank"), and a
  country before a name is not part of it ("Armenia Lynne Tracy").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from generator.read.ner import Mention

# The registry's names: surface form -> (kind, canonical), kind one of person, organisation, country, none.
Names = Mapping[str, tuple[str, str]]

TITLE_WORDS = frozenset(
    (
        "mr mrs ms miss dr prof sir dame lord lady president vice prime minister deputy foreign "
        "secretary general secretary-general under assistant principal acting first second chief "
        "ambassador envoy special representative king queen crown prince princess emir sultan sheikh "
        "ayatollah pope gen lt col adm admiral colonel general senator sen rep representative governor "
        "gov mayor speaker chairman chairwoman chair director director-general commissioner high "
        "spokesperson spokesman spokeswoman leader opposition commander judge justice prosecutor "
        "attorney chancellor premier defence defense interior finance home state national security "
        "advisor adviser senior bureau official officer her his royal highness excellency majesty "
        "minster mfa political junior shadow former late then new incoming outgoing councilor counselor"
    ).split()
)
# Words that end a title phrase without being part of it: "Secretary of State Antony Blinken".
_TITLE_LINKS = frozenset("of for the and to on in".split())
_NAME_PARTICLES = frozenset(
    "al al- bin bint ibn abu de da di del della der van von le la du dos das el ter ten".split()
)
_GENERIC_ORG = frozenset(
    (
        "government state administration department ministry council committee commission agency office "
        "party parliament court army military police navy cabinet embassy coalition alliance union "
        "bureau secretariat authority authorities forces regime junta opposition treasury commerce justice "
        "defense defence interior mission delegation board group summit assembly house senate"
    ).split()
)
_OUTLETS = frozenset(
    (
        "Reuters|AP|Associated Press|AFP|Agence France-Presse|BBC|BBC News|CNN|Fox News|NBC|CBS|ABC|NPR|"
        "Bloomberg|Times|The Times|New York Times|The New York Times|Washington Post|The Washington Post|"
        "Guardian|The Guardian|Financial Times|The Financial Times|FT|Wall Street Journal|WSJ|"
        "The Wall Street Journal|Daily Telegraph|Telegraph|The Telegraph|The Daily Telegraph|Independent|"
        "The Independent|Observer|The Observer|Economist|The Economist|Daily Mail|Mail|The Sun|Sun|"
        "Mirror|Daily Mirror|Sunday Times|The Sunday Times|Politico|Axios|Al Jazeera|Xinhua|TASS|Tass|"
        "Interfax|RIA Novosti|Kyodo|Yonhap|Le Monde|Der Spiegel|Spiegel|Sky News|ITV|Channel 4 News|"
        "Newsnight|Today programme|Radio 4|BBC Radio 4|VOA|Voice of America|PA|Press Association|"
        "Evening Standard|Scotsman|The Scotsman|Herald|The Herald|Los Angeles Times|USA Today"
    ).split("|")
)
_CITE_BEFORE = re.compile(
    r"(?:told|to|according to|quoted by|quoted in|in an interview with|interviewed by|speaking to|"
    r"writing in|wrote in|reported by|cited by|published by|said on|told the|on|in)\s+(?:the\s+)?$",
    re.I,
)
_CITE_AFTER = re.compile(
    r"^[’']?s?\s*(?:newspaper\s+|news agency\s+|programme\s+|program\s+|radio\s+|television\s+|"
    r"reporters?\s+|correspondents?\s+)?(?:said|says|reported|reports|quoted|cited|learned|learnt|"
    r"revealed|understands|has learned|was told|newspaper|interview|report|poll|website|editorial)\b",
    re.I,
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_ACRONYM = re.compile(r"[A-Z][A-Z&.-]*[A-Z]\.?")
_SMALL = frozenset("of the and for on in to de la du des".split())


_ORG_SUFFIX = re.compile(r",?\s+(?:Ltd|Inc|Co|Corp|LLC|PLC|plc|S\.A|AG|GmbH)\.?$")
_ORG_WORDS = frozenset(
    (
        "technologies technology mining ltd inc corp corporation company group bank university institute "
        "foundation museum agency party council ministry department forces army commission committee "
        "association union organization organisation fund council network airlines holdings"
    ).split()
)
# Words that make a name an organisation when they head it ("Central Bank of Nicaragua": "Central Bank").
ORG_HEADS = frozenset(
    (
        "ministry council agency bank party union forces force group committee commission court office "
        "department organization organisation association institute institution fund company corporation "
        "university army navy front movement alliance bureau service services police guard command corps "
        "assembly parliament congress senate administration authority board secretariat mission embassy "
        "consulate coalition federation league network forum community center centre foundation museum "
        "library college school academy laboratory society trust team unit brigade brigades regiment "
        "division directorate cabinet tribunal enterprise enterprises plant works holdings exchange airlines "
        "airways technologies mining industries firm bloc caucus chamber staff marines militia battalion "
        "delegation consortium cooperative commonwealth"
    ).split()
)
# Heads of things that are not bodies: events, laws, programmes, documents, periods.
EVENT_HEADS = frozenset(
    (
        "accord accords act agreement treaty day month week year summit conference dialogue mechanism "
        "regulations regulation goals order program programme programs initiative strategy framework "
        "memorandum proclamation convention charter resolution report plan fair series declaration "
        "protocol ministerial meeting talks games award prize list statement mou"
    ).split()
)
_CORPORATE = re.compile(
    r"\b(?:LLC|JSC|PJSC|OJSC|CJSC|OOO|OAO|ZAO|Ltd|Inc|Corp|PLC|plc|AG|GmbH|S\.A)\b"
)
_HEAD_END = re.compile(r"\s(?:of|for|on|to|in|against|at|under)\s")
_FAC_ORGS = frozenset("museum foundation institute university college school library".split())
_ADJECTIVE = re.compile(r"(?:ic|ian|an|ese|ish|ean)$")


def _strip(text: str) -> str:
    text = re.sub(r"[\u200b-\u200f\u2060\ufeff]", "", text)
    if "(" in text and ")" not in text:  # "Mekong-U.S. Partnership (MUSP"
        text = text.split("(", 1)[0]
    elif ")" in text and "(" not in text:  # "HHS) Office of Refugee Resettlement"
        text = text.rsplit(")", 1)[1]
    # "Sherman’s Call" -> "Sherman"; "the Treasury’s Office of ..." -> "the Treasury"
    text = re.split(r"['’]s\s", text, maxsplit=1)[0]
    text = re.sub(r"\s+", " ", text).strip(" \t\"'“”‘’()[],.;:-–—")
    text = _POSSESSIVE.sub("", text).strip()
    text = _ORG_SUFFIX.sub("", text)
    return re.sub(r"^(?:the|The|THE)\s+", "", text)


def strip_title(name: str) -> tuple[str, bool]:
    """(name without leading titles, whether a title was there): "Foreign Secretary Jack Straw" -> "Jack Straw"."""
    words = name.split()
    had = False
    while len(words) > 1:
        low = words[0].rstrip(".").casefold()
        if low in TITLE_WORDS:
            words.pop(0)
            had = True
        elif had and low in _TITLE_LINKS and len(words) > 2:
            # "Secretary of State Blinken": skip "of State"
            words.pop(0)
            if words and words[0].rstrip(".").casefold() not in TITLE_WORDS:
                words.pop(0)
        else:
            break
    return " ".join(words), had


def _title_before(text: str, start: int) -> bool:
    m = re.search(r"([A-Za-z][\w.-]*)\s+$", text[max(0, start - 30) : start])
    return m is not None and m.group(1).rstrip(".").casefold() in TITLE_WORDS


def looks_like_person(name: str) -> bool:
    words = name.split()
    if not words or len(words) > 6 or any(c.isdigit() for c in name):
        return False
    if name.isupper() and len(name) > 3:
        return False
    last = words[-1].casefold()
    if last in _ORG_WORDS or last in EVENT_HEADS or _singular(last) in EVENT_HEADS | ORG_HEADS:
        return False  # "Fulbright Programs", "Joint Statement"
    if last in ("scholar", "scholars", "alumni", "fellows"):
        return False
    if all(w.rstrip(".").casefold() in TITLE_WORDS for w in words):
        return False  # "Sheikh", "Councilor"
    return all(
        w[0].isupper() or w.casefold() in _NAME_PARTICLES or w.casefold().startswith(("al-", "el-"))
        for w in words
    )


def head_words(name: str) -> list[str]:
    """The words that head a name, lowercased: "Office of Foreign Assets Control" -> ["office"]."""
    head = _HEAD_END.split(f" {name} ", maxsplit=1)[0]
    return [w.strip(".,'’()").casefold() for w in head.split() if w.strip(".,'’()")]


def looks_like_organisation(name: str, raw: str) -> bool:
    """Whether a name (`raw`: as the text wrote it) reads as a body: an organisation head word and no
    event head, or a company form ("Internet Research LLC")."""
    if _CORPORATE.search(raw):
        return True
    head = head_words(name)
    if not head or head[-1] in EVENT_HEADS:
        return False
    return any(w in ORG_HEADS or _singular(w) in ORG_HEADS for w in head)


def _singular(word: str) -> str:
    """ "ministries" -> "ministry", "departments" -> "department" (enough for head words)."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") else word


def _core(name: str) -> tuple[str, ...]:
    """A name's words without middle initials, for matching "Antony J. Blinken" with "Antony Blinken"."""
    return tuple(w for w in name.split() if not re.fullmatch(r"[A-Z]\.?", w))


def _resolve(short: str, full_names: Iterable[str]) -> str | None:
    """The fullest name that contains `short` as a run of whole words, if exactly one does."""
    want = _core(short)
    n = len(want)
    hits = {
        full
        for full in full_names
        if len(_core(full)) > n
        and any(_core(full)[i : i + n] == want for i in range(len(_core(full)) - n + 1))
    }
    if len(hits) == 1:
        return hits.pop()
    # several: the longest wins only if every other one is part of it
    best = max(hits, key=lambda h: len(_core(h)), default=None)
    if best and all(_resolve(h, [best]) == best for h in hits if h != best):
        return best
    return None


def _title_lines(text: str) -> list[tuple[int, int]]:
    """Spans of the lines written in Title Case (the headline, headings), where the model misreads words
    ("Putin Signals Resolve" as a person)."""
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        words = re.findall(r"[A-Za-z][\w'’-]*", m.group())
        big = [w for w in words if w.casefold() not in _SMALL and len(w) > 3]
        if big and len(m.group()) < 150 and sum(w[0].isupper() for w in big) >= 0.75 * len(big):
            spans.append(m.span())
    return spans


def trusted(mentions: Sequence[Mention], text: str, names: Names) -> list[Mention]:
    """The mentions to believe: in a Title Case line only names the registry knows or the model also
    found in running text."""
    titles = _title_lines(text)
    inside = [any(s <= m.start < e for s, e in titles) for m in mentions]
    elsewhere = {_strip(m.text) for m, t in zip(mentions, inside, strict=True) if not t}
    return [
        m
        for m, t in zip(mentions, inside, strict=True)
        if not t or _strip(m.text) in elsewhere or _strip(m.text) in names
    ]


def people_of(text: str, mentions: Sequence[Mention], names: Names, head_end: int) -> Counter[str]:
    """Canonical people and their salience (a headline mention weighs 3) from the model's PERSON mentions."""
    found: list[tuple[str, bool, int]] = []  # (name, had a title, start)
    for m in trusted(mentions, text, names):
        if m.label != "PERSON" or "\n" in m.text:
            continue
        start, end = _complete(text, m.start, m.end)
        words = _strip(text[start:end]).split()
        while len(words) > 2 and names.get(words[0], ("",))[0] == "country":
            words.pop(0)  # "Ambassador to Armenia Lynne Tracy"
        name, titled = strip_title(" ".join(words))
        titled = titled or _title_before(text, m.start)
        name = _strip(name)
        kind = names.get(name, ("", ""))[0]
        if kind in ("country", "organisation", "none") or not looks_like_person(name):
            continue
        found.append((name, titled, m.start))
    # registry canonical names first, so "Blinken" and "Antony J. Blinken" both become "Antony Blinken"
    full = {_canonical_person(n, names) for n, _, _ in found if len(_core(n)) > 1}
    counts: Counter[str] = Counter()
    for name, titled, start in found:
        canonical = _canonical_person(name, names)
        if names.get(canonical, ("",))[0] != "person":
            resolved = _resolve(canonical, full)
            if resolved:
                canonical = resolved
            elif len(_core(canonical)) < 2 and not titled:
                continue
        counts[canonical] += 3 if start < head_end else 1
    return counts


_PATRONYMIC = re.compile(r"[A-Z]\w+(?:ovich|evich|yevich|ich|ovna|evna|yevna|ichna)$")
_NEXT_WORD = re.compile(r"[ \t]+([A-Z][\w’'-]+)")
_PREV_WORD = re.compile(r"([A-Z][\w’'-]+)[ \t]+$")


def _complete(text: str, start: int, end: int) -> tuple[int, int]:
    """A person's span completed where the model cut it at a name particle or a patronymic: "Jean-Yves
    Le" + " Drian", "Albert Alexandrovich" + " Avdolyan", "Sergeevich Frank" after "Gleb "."""
    words = text[start:end].split()
    if not words:
        return start, end
    nxt = _NEXT_WORD.match(text, end)
    if nxt and (words[-1].casefold() in _NAME_PARTICLES or _PATRONYMIC.fullmatch(words[-1])):
        end = nxt.end(1)
    prev = _PREV_WORD.search(text, max(0, start - 40), start)
    if prev and _PATRONYMIC.fullmatch(words[0]) and prev.group(1).casefold() not in TITLE_WORDS:
        start = prev.start(1)
    return start, end


def merge_people(counts: Counter[str], names: Names) -> Counter[str]:
    """One person under one name, whichever rule found each: a name whose words run inside exactly one
    longer name of the text joins it ("Moïse" and "Jovenel Moïse"; "Laurentino Cortizo" and "Laurentino
    Cortizo Cohen"), unless the registry knows it as a person; a longer name around a person the registry
    knows joins that person."""
    known = [n for n in counts if names.get(n, ("",))[0] == "person" and len(_core(n)) > 1]
    merged: Counter[str] = Counter()
    for name, n in counts.items():
        target = name
        if names.get(name, ("",))[0] != "person":
            target = _resolve(name, [c for c in counts if c != name]) or name
            around = [k for k in known if k != name and _resolve(k, [name]) == name]
            if len(around) == 1:
                target = around[0]
        merged[target] += n
    return merged


def _canonical_person(name: str, names: Names) -> str:
    kind, canonical = names.get(name, ("", ""))
    if kind == "person":
        return canonical
    core = " ".join(_core(name))
    kind, canonical = names.get(core, ("", ""))
    return canonical if kind == "person" else name


def _initials(name: str) -> str:
    """ "UN Office on Drugs and Crime" -> "UNODC": first letters of significant words, acronyms whole."""
    words = re.findall(r"[\w'’-]+", name.replace(".", ""))
    return "".join(
        w if w.isupper() and len(w) <= 4 else w[0] for w in words if w.casefold() not in _SMALL
    ).upper()


def _expands(long: str, abbr: str) -> bool:
    """Whether an abbreviation can stand for a name: same first letter, about as many significant words."""
    letters = _initials(long)
    key = abbr.replace(".", "").upper()
    return bool(letters) and letters[0] == key[0] and len(key) - 1 <= len(letters) <= len(key) + 1


def _cited(text: str, start: int, end: int) -> bool:
    return bool(
        _CITE_BEFORE.search(text[max(0, start - 30) : start])
        or _CITE_AFTER.match(text[end : end + 40])
    )


def organisations_of(
    text: str, mentions: Sequence[Mention], names: Names, head_end: int
) -> Counter[str]:
    """Canonical organisations and their salience from the model's ORG mentions."""
    found: list[tuple[str, int, str]] = []  # (name, start, the text as written)
    outlets: dict[str, bool] = {}  # outlet -> named other than as a source
    people = {_strip(m.text) for m in mentions if m.label == "PERSON" and " " in m.text.strip()}
    for m in trusted(mentions, text, names):
        fac = m.label == "FAC" and m.text.split()[-1].casefold() in _FAC_ORGS
        if (m.label != "ORG" and not fac) or "\n" in m.text:
            continue
        name = _strip(m.text)
        if not name or not name[0].isupper() or (any(c.isdigit() for c in name) and len(name) > 4):
            continue
        words = name.split()
        if all(w.rstrip(".").casefold() in TITLE_WORDS | _GENERIC_ORG | _SMALL for w in words):
            continue  # "Government", "Deputy Secretary", "the State"
        if words[-1].casefold() in _SMALL or any(p in name for p in people):
            continue  # a fragment ("U.S. Agency for") or a person with a title ("Spokesperson Ned Price")
        if re.search(
            r"\b(?:[Ss]ecretary|[Mm]inister|[Dd]irector|[Ss]pokesperson)\s+(?:of\s+)?(?:the\s+)?$",
            text[max(0, m.start - 30) : m.start],
        ):
            continue  # part of a title: "Secretary of Foreign Affairs and Trade"
        bare, titled = strip_title(name)
        if titled and (names.get(bare, ("",))[0] == "person" or bare in people):
            continue  # "Spokesperson Ned Price"
        kind = names.get(name, ("", ""))[0]
        if kind in ("country", "person", "none"):
            continue
        if name in _OUTLETS or f"The {name}" in _OUTLETS:
            outlets[name] = outlets.get(name, False) or not _cited(text, m.start, m.end)
            if not outlets[name]:
                continue
        if (
            len(words) == 1
            and not _ACRONYM.fullmatch(name)
            and kind != "organisation"
            and (_ADJECTIVE.search(name) or name.endswith("s"))
        ):
            continue  # "Transatlantic", "Uyghurs": peoples and adjectives, not bodies
        found.append((name, m.start, m.text))
    paren = {abbr: long for abbr, (long, _, _) in abbreviations(text).items()}
    long_names = {n for n, _, _ in found if len(n.split()) > 1} | set(paren.values())
    expansion: dict[str, str] = dict(paren)
    for abbr in {n for n, _, _ in found if _ACRONYM.fullmatch(n) and n not in paren}:
        key = abbr.replace(".", "")
        for candidate in sorted(long_names, key=lambda ln: (len(ln), ln)):
            if _initials(candidate) == key:
                expansion[abbr] = candidate
                break
    counts: Counter[str] = Counter()
    for name, start, raw in found:
        canonical = expansion.get(name, name)
        # a fragment of an expanded name ("International Development" of "U.S. Agency for International
        # Development") is that name
        whole = [
            ln for ln in paren.values() if len(canonical) < len(ln) and f" {canonical}" in f" {ln}"
        ]
        if whole and len(canonical.split()) > 1:
            canonical = whole[0]
        kind, known = names.get(canonical, ("", ""))
        if kind == "organisation":
            canonical = known
        elif canonical != name and _ACRONYM.fullmatch(name):
            if head_words(canonical)[-1:] and head_words(canonical)[-1] in EVENT_HEADS:
                continue  # "JCPOA": the text expands it, to a plan
        elif not looks_like_organisation(canonical, raw if canonical == name else canonical):
            continue  # also an acronym neither the text nor the registry expands
        counts[canonical] += 3 if start < head_end else 1
    return counts


def abbreviations(text: str) -> dict[str, tuple[str, int, int]]:
    """Abbreviations a text defines, "Long Name (ABBR)": ABBR -> (Long Name, its start, its end)."""
    found: dict[str, tuple[str, int, int]] = {}
    pattern = r"([A-Z][\w'’.&-]*(?:\s+[\w'’.&-]+){1,9})\s+\(([A-Z][A-Za-z&.-]{1,9})\)"
    for m in re.finditer(pattern, text):
        abbr = m.group(2)
        words = m.group(1).split()
        for i in range(
            len(words) - 1, -1, -1
        ):  # the shortest ending that can expand the abbreviation
            tail = _strip(" ".join(words[i:]))
            if (
                tail
                and tail[0].isupper()
                and _expands(tail, abbr)
                and tail.split()[0] not in _SMALL
            ):
                start = m.start(1) + m.group(1).rindex(words[i]) if i else m.start(1)
                found.setdefault(abbr, (tail, start, m.end(1)))
                break
    return found


def _tail_with_initials(name: str, key: str) -> str:
    """The shortest ending of `name` whose initials are `key`: "UN Office on Drugs and Crime" for UNODC."""
    words = name.split()
    for i in range(len(words)):
        tail = " ".join(words[i:])
        if _initials(tail) == key:
            return tail
    return ""
