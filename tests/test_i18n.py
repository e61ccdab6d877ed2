"""Several languages: a site in English, French, Ukrainian and Arabic (site.yaml `languages:`), built and read
back: every page kind per language, hreflang pairs, feeds, catalogs and dates, stale translations, errors, and
incremental builds equal to clean ones after translations are added, edited and deleted."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from generator.build.builder import Builder, BuildOptions
from generator.core.errors import SiteError
from generator.dev import translations
from generator.read.detect import detect
from tests.conftest import Page, Project, briefing_md

CONFIG = """title: Eastern Desk
description: Briefings on Eastern Europe and the Middle East
base_url: https://example.org/
preview_images: false
languages:
  - {code: en, name: English, default: true}
  - {code: fr, name: Français, title: Bureau Est, description: Notes sur l'Europe de l'Est}
  - {code: uk, name: Українська}
  - {code: ar, name: العربية}
"""
LANGS = ("en", "fr", "uk", "ar")
PREFIX = {"en": "", "fr": "fr/", "uk": "uk/", "ar": "ar/"}

GRAIN_EN = briefing_md(
    "Black Sea grain corridor under strain",
    date="2026-11-20T09:00:00+00:00",
    summary="Shipping through the Ukrainian corridor slowed after strikes on Odesa.",
    countries=["Ukraine", "Russia"],
    topics=["Food security"],
    body="""
    Strikes on port infrastructure in Odesa cut grain loadings by a third this week.

    Insurers raised war-risk premiums for vessels calling at Ukrainian ports.
    """,
)
GRAIN_FR = briefing_md(
    "Le corridor céréalier de la mer Noire sous tension",
    date="2026-11-20T12:00:00+00:00",
    summary="Le trafic dans le corridor ukrainien a ralenti après des frappes sur Odessa.",
    countries=["Ukraine", "Russia"],
    topics=["Food security"],
    body="Les frappes sur les infrastructures portuaires d'Odessa ont réduit les chargements de céréales.",
)
GRAIN_UK = briefing_md(
    "Зерновий коридор у Чорному морі під тиском",
    date="2026-11-20T13:00:00+00:00",
    translation_of="black-sea-grain-corridor-under-strain",
    summary="Судноплавство українським коридором сповільнилося після ударів по Одесі.",
    countries=["Ukraine", "Russia"],
    body="Удари по портовій інфраструктурі Одеси скоротили відвантаження зерна на третину.",
)
SUDAN_EN = briefing_md(
    "Fighting intensifies around El Fasher",
    date="2026-11-18T09:00:00+00:00",
    summary="Clashes around El Fasher in North Darfur displaced thousands.",
    countries=["Sudan"],
    body="Heavy clashes continued around El Fasher as thousands of civilians fled.",
)
SUDAN_AR = briefing_md(
    "المعارك حول الفاشر تتصاعد",
    date="2026-11-18T12:00:00+00:00",
    summary="اشتدت المعارك حول مدينة الفاشر في شمال دارفور.",
    countries=["Sudan"],
    body="تواصلت الاشتباكات العنيفة حول الفاشر مع نزوح آلاف المدنيين نحو تشاد.",
)
ELECTIONS_FR = briefing_md(
    "Moldavie : un scrutin sous influence",
    date="2026-11-10T09:00:00+00:00",
    summary="La campagne électorale moldave a été marquée par des soupçons d'ingérence.",
    countries=["Moldova"],
    body="Les observateurs ont relevé des achats de voix présumés dans le nord du pays.",
)

FILES = {
    "content/briefings/black-sea-grain.md": GRAIN_EN,
    "content/briefings/fr/black-sea-grain.md": GRAIN_FR,  # a translation by its folder and file name
    "content/briefings/uk/zernovyi-korydor.md": GRAIN_UK,  # a translation by translation_of:
    "content/briefings/sudan.md": SUDAN_EN,
    "content/briefings/ar/sudan.md": SUDAN_AR,
    "content/briefings/fr/moldavie.md": ELECTIONS_FR,  # only in French
    "content/pages/about.md": "---\ntitle: About\n---\n\nWho we are.\n",
}
GRAIN = {
    "en": "briefings/black-sea-grain-corridor-under-strain/",
    "fr": "fr/briefings/le-corridor-cerealier-de-la-mer-noire-sous-tension/",
    "uk": "uk/briefings/zernovii-koridor-u-chornomu-mori-pid-tiskom/",
}


@pytest.fixture
def site(make_site) -> Project:
    project = make_site(FILES, config=CONFIG)
    project.build()
    return project


def html_files(project: Project) -> list[str]:
    return sorted(p for p in project.files() if p.endswith(".html"))


def alternates(page: Page) -> dict[str, str]:
    return {
        str(a["hreflang"]): str(a["href"])
        for a in page.all("link", rel="alternate")
        if a.get("hreflang")
    }


def test_every_page_kind_in_every_language(site: Project) -> None:
    kinds = ("", "timeline/", "timeline/2026/", "digest/", "situation/", "search/", "corrections/")
    kinds += ("countries/", "topics/", "people/")
    files = site.files()
    for lang in LANGS:
        prefix = PREFIX[lang]
        for kind in kinds:
            page = site.html(f"{prefix}{kind}index.html")
            html = page.all("html")[0]
            assert html["lang"] == lang, (lang, kind)
            assert (html.get("dir") == "rtl") == (lang == "ar"), (lang, kind)
        for feed in ("feed.xml", "rss.xml", "feed.json", "corrections/feed.xml"):
            assert f"{prefix}{feed}" in files, (lang, feed)
        assert any(re.fullmatch(rf"{prefix}digest/2026-W\d+/index\.html", f) for f in files)
        assert f"{prefix}search/index.json" in files
    # term pages of each language's own briefings, under its folder
    for path in ("countries/ukraine/", "fr/countries/ukraine/", "uk/countries/ukraine/"):
        assert f"{path}index.html" in files and f"{path}feed.xml" in files
    assert "ar/countries/sudan/index.html" in files
    assert (
        "fr/countries/moldova/index.html" in files and "countries/moldova/index.html" not in files
    )
    for lang, path in GRAIN.items():
        assert f"{path}index.html" in files, lang
    # once, at the root
    assert "404.html" in files and "fr/404.html" not in files
    assert "sitemap.xml" in files and "fr/sitemap.xml" not in files
    assert "translations/index.html" in files


def test_lists_hold_their_own_language_only(site: Project) -> None:
    home_fr = site.html("fr/index.html")
    titles = " ".join(home_fr.texts("a"))
    assert "Moldavie" in titles and "corridor céréalier" in titles
    assert "Black Sea grain corridor" not in titles
    assert "Bureau Est" in site.html("fr/index.html").text  # the language's own title
    home_en = site.read("index.html")
    assert "Moldavie" not in home_en and "Зерновий" not in home_en


def test_hreflang_pairs_are_absolute_reciprocal_and_have_x_default(site: Project) -> None:
    pages = {path: site.html(path) for path in html_files(site)}
    checked = 0
    for path, page in pages.items():
        alts = alternates(page)
        if not alts:
            continue
        own = "https://example.org/" + path[: -len("index.html")]
        assert own in alts.values(), path  # a page lists itself
        assert "x-default" in alts, path
        for lang, href in alts.items():
            assert href.startswith("https://example.org/"), href
            if lang == "x-default":
                continue
            other = href.removeprefix("https://example.org/") + "index.html"
            back = alternates(pages[other])
            assert (
                back.get(next(k for k, v in alts.items() if v == own and k != "x-default")) == own
            )
            checked += 1
    assert checked > 50
    grain = alternates(pages[GRAIN["fr"] + "index.html"])
    assert grain == {
        "en": "https://example.org/" + GRAIN["en"],
        "fr": "https://example.org/" + GRAIN["fr"],
        "uk": "https://example.org/" + GRAIN["uk"],
        "x-default": "https://example.org/" + GRAIN["en"],
    }
    assert not alternates(pages["fr/briefings/moldavie-un-scrutin-sous-influence/index.html"])


def test_sitemap_carries_hreflang(site: Project) -> None:
    text = site.read("sitemap.xml")
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in text
    row = next(r for r in text.splitlines() if f"<loc>https://example.org/{GRAIN['uk']}<" in r)
    for lang, path in GRAIN.items():
        assert f'hreflang="{lang}" href="https://example.org/{path}"' in row
    assert 'hreflang="x-default"' in row


def test_language_switcher_links_the_translation_else_the_home(site: Project) -> None:
    page = site.html(GRAIN["fr"] + "index.html")
    links = {a["hreflang"]: a["href"] for a in page.all("a") if a.get("hreflang")}
    assert links["en"] == "/" + GRAIN["en"]
    assert links["uk"] == "/" + GRAIN["uk"]
    assert links["ar"] == "/ar/"  # no Arabic translation: the Arabic home
    term = site.html("uk/countries/ukraine/index.html")  # the same entity's page in other languages
    links = {a["hreflang"]: a["href"] for a in term.all("a") if a.get("hreflang")}
    assert links["en"] == "/countries/ukraine/" and links["fr"] == "/fr/countries/ukraine/"


def test_feeds_per_language(site: Project) -> None:
    for lang, titles in {
        "en": {"Black Sea grain corridor under strain", "Fighting intensifies around El Fasher"},
        "fr": {
            "Le corridor céréalier de la mer Noire sous tension",
            "Moldavie : un scrutin sous influence",
        },
        "uk": {"Зерновий коридор у Чорному морі під тиском"},
        "ar": {"المعارك حول الفاشر تتصاعد"},
    }.items():
        for name in ("feed.xml", "rss.xml"):
            parsed = feedparser.parse(site.read(PREFIX[lang] + name))
            assert not parsed.bozo, (lang, name, parsed.get("bozo_exception"))
            assert {e.title for e in parsed.entries} == titles, (lang, name)
            assert parsed.feed.get("language", lang) == lang
            for entry in parsed.entries:
                assert entry.link.startswith(f"https://example.org/{PREFIX[lang]}briefings/")
        feed = json.loads(site.read(PREFIX[lang] + "feed.json"))
        assert {item["title"] for item in feed["items"]} == titles
        assert feed["home_page_url"] == f"https://example.org/{PREFIX[lang]}"
        assert feed["language"] == lang


def test_ui_strings_dates_and_countries_in_the_page_language(site: Project) -> None:
    fr = site.html(GRAIN["fr"] + "index.html").text
    assert "L’essentiel" in fr and "min de lecture" in fr and "20 novembre 2026" in fr
    assert "Bottom line" not in fr
    uk = site.html("uk/countries/ukraine/index.html")
    assert "Україна" in uk.texts("h1")[0]
    assert "1 огляд" in uk.text
    ar = site.html("ar/briefings/" + _slug(site, "ar") + "/index.html").text
    assert "الخلاصة" in ar and "السودان" in ar
    en = site.html(GRAIN["en"] + "index.html").text
    assert "Bottom line" in en and "20 November 2026" in en


def _search_strings(site: Project, lang: str) -> dict:  # type: ignore[type-arg]
    """The data block search.html hands static/search.js (None if the page has none)."""
    page = site.html(f"{PREFIX[lang]}search/index.html")
    if not page.all("script", id="search-strings", type="application/json"):
        return {}
    blocks = [json.loads(t) for t in page.texts("script") if t.startswith("{")]  # and JSON-LD
    return dict(next(b for b in blocks if "strings" in b))


def test_the_search_page_gives_search_js_its_texts_in_the_page_language(site: Project) -> None:
    uk = _search_strings(site, "uk")
    assert uk["lang"] == "uk"
    assert uk["strings"]["label"] == "Пошук в оглядах" and uk["strings"]["button"] == "Пошук"
    assert (
        uk["strings"]["clear"] == "Скинути фільтри" and uk["strings"]["fewer"] == "Показати менше"
    )
    assert uk["taxonomies"]["countries"] == "Країни"
    english = re.compile(r"\b(Search|Filter|Clear|Show|Nothing|briefings?|Type|Check|Try|No)\b")
    for text in [*uk["strings"].values(), *(f for p in uk["plurals"].values() for f in p.values())]:
        assert not english.search(text), text
    # one form per CLDR category Intl.PluralRules gives for whole numbers of the language
    assert set(uk["plurals"]["found"]) >= {"one", "few", "many"}
    assert uk["plurals"]["found"]["few"] == "%(count)s огляди"
    assert uk["plurals"]["found"]["many"] == "%(count)s оглядів"
    ar = _search_strings(site, "ar")
    assert set(ar["plurals"]["foundQuery"]) == {"zero", "one", "two", "few", "many", "other"}
    assert ar["plurals"]["foundQuery"]["two"] == "إحاطتان عن «%(query)s»"
    fr = _search_strings(site, "fr")
    assert set(fr["plurals"]["found"]) == {"one", "many", "other"}
    assert fr["plurals"]["found"]["other"] == "%(count)s notes"
    en = _search_strings(site, "en")  # the default language: search.js's own English texts
    assert (
        en["strings"]["label"] == "Search briefings"
        and en["taxonomies"]["countries"] == "Countries"
    )
    assert en["plurals"]["found"] == {"one": "%(count)s briefing", "other": "%(count)s briefings"}


def test_each_language_s_search_filters_name_terms_as_its_pages_do(site: Project) -> None:
    uk = json.loads(site.read("uk/search/filters.json"))
    assert ["Росія", "russia", [0], "Russia"] in uk["countries"]  # shown, slug, ids, the docs/ name
    ar = json.loads(site.read("ar/search/filters.json"))
    assert ar["countries"] == [["السودان", "sudan", [0], "Sudan"]]
    en = json.loads(site.read("search/filters.json"))
    # the default language's: as before (ids go oldest first)
    assert ["Russia", "russia", [1]] in en["countries"]


def test_preview_datelines_in_the_briefing_s_language(make_site) -> None:
    from PIL import Image

    from generator.render import preview

    project = make_site(
        FILES, config=CONFIG.replace("preview_images: false", "preview_images: true")
    )
    builder = Builder(project.root, BuildOptions(run_import=False))
    builder.build()
    site = builder._last.site  # type: ignore[union-attr]
    contexts = {
        o.lang.code: [
            p.context for p in preview.preview_pages(o) if p.make is preview.draw_briefing
        ]
        for o in site.others
    }
    (uk,) = contexts["uk"]
    assert uk["dateline"] == "20 листопада 2026 · Огляд"
    assert uk["names"] == ("Україна", "Росія")
    ar = contexts["ar"][0]
    assert ar["dateline"] == "18 نوفمبر 2026 · إحاطة" and ar["names"] == ("السودان",)
    assert preview._regular(ar["dateline"]) == preview.ARABIC_FONT
    (en,) = [
        p.context
        for p in preview.preview_pages(site)
        if p.make is preview.draw_briefing and p.context["title"].value().startswith("Black")
    ]
    assert en["dateline"] == "20 November 2026 · Food security" and "names" not in en
    # the Arabic dateline is drawn (its glyphs are in the Arabic subset): ink where it goes
    folder = project.output / "ar/briefings" / _slug(project, "ar")
    image = Image.open(folder / "preview.png").convert("L")
    assert image.crop((64, 470, 640, 510)).getextrema()[0] < 120


def _slug(site: Project, lang: str) -> str:
    folder = site.output / PREFIX[lang] / "briefings"
    return sorted(p.name for p in folder.iterdir())[0]


def test_a_site_may_override_single_strings(make_site) -> None:
    config = CONFIG.replace(
        "title: Bureau Est,", "title: Bureau Est, strings: {'Bottom line': 'En bref'},"
    )
    project = make_site(FILES, config=config)
    project.write(
        {
            "themes/desk/locales/fr/LC_MESSAGES/messages.po": (
                'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                'msgid "Key takeaways"\nmsgstr "À retenir"\n'
            ),
            "site.yaml": config + "theme: desk\n",
            "content/briefings/fr/black-sea-grain.md": GRAIN_FR.replace(
                "summary:", "takeaways: [Les primes d'assurance augmentent.]\nsummary:"
            ),
        }
    )
    (project.root / "themes/desk/templates").mkdir(parents=True)
    project.build()
    text = project.html(GRAIN["fr"] + "index.html").text
    assert "En bref" in text and "À retenir" in text and "Dernières notes" not in text
    assert "Points clés" not in text
    assert "min de lecture" in text  # the rest from the default theme's catalog


def test_editing_a_catalog_renders_that_language_again_only(site: Project) -> None:
    builder = Builder(site.root, BuildOptions(run_import=False))
    builder.build()
    theme = site.root / "themes/default/locales/uk/LC_MESSAGES"
    theme.mkdir(parents=True)
    (site.root / "site.yaml").write_text(CONFIG, encoding="utf-8")
    (theme / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "Bottom line"\nmsgstr "Коротко"\n', encoding="utf-8"
    )
    report = builder.build()
    assert "Коротко" in site.read(GRAIN["uk"] + "index.html")
    assert "Bottom line" in site.read(GRAIN["en"] + "index.html")
    # every Ukrainian page read the catalog; no other page did
    assert report.rendered == len([p for p in html_files(site) if p.startswith("uk/")])


def test_stale_translation_is_flagged_after_its_source_changes(site: Project) -> None:
    builder = Builder(site.root, BuildOptions(run_import=False))
    builder.build()
    notice = site.html(GRAIN["fr"] + "index.html")
    assert "n’indique pas" in notice.text  # unknown: no translated_from: recorded
    fr_file = site.root / "content/briefings/fr/black-sea-grain.md"
    version = translations.mark_current(translations.load(site.root), fr_file)
    assert f"translated_from: {version}" in fr_file.read_text(encoding="utf-8")
    builder.build()
    assert not site.html(GRAIN["fr"] + "index.html").all("p", class_="translation-notice")
    status = site.html("translations/index.html")
    assert "À jour" not in status.text and "Current" in status.text
    # the English source changes: the French page says so, check and the status page list it
    source = site.root / "content/briefings/black-sea-grain.md"
    source.write_text(
        GRAIN_EN.replace("summary:", "updated: 2026-11-22T10:00:00+00:00\nsummary:"),
        encoding="utf-8",
    )
    builder.build()
    page = site.html(GRAIN["fr"] + "index.html")
    notes = page.texts("p")
    assert any("L’original (English) a été mis à jour le 22 novembre 2026" in t for t in notes)
    stale = translations.stale_problems(translations.load(site.root))
    assert [str(p.path) for p in stale] == [str(fr_file)]
    assert "Stale" in site.html("translations/index.html").text
    clean = site.root.parent / "clean"
    shutil.copytree(site.root, clean, ignore=shutil.ignore_patterns("output", ".cache"))
    Builder(clean, BuildOptions(run_import=False)).build()
    assert _tree(clean / "output") == _tree(site.output)


def test_errors_name_the_file_and_line(make_site) -> None:
    cases = {
        "content/briefings/x.md": (briefing_md("X", lang="de"), "unknown language 'de'"),
        "content/briefings/y.md": (
            briefing_md("Y", lang="fr", translation_of="no-such-briefing"),
            "no briefing in another language has the slug 'no-such-briefing'",
        ),
    }
    for rel, (text, message) in cases.items():
        project = make_site({**FILES, rel: text}, config=CONFIG)
        with pytest.raises(SiteError) as caught:
            project.build()
        problem = caught.value.problems[0]
        assert str(problem.path).endswith(rel) and problem.line and message in problem.message
        (project.root / rel).unlink()
    twice = briefing_md(
        "Encore le corridor", lang="fr", translation_of="black-sea-grain-corridor-under-strain"
    )
    project = make_site({**FILES, "content/briefings/z.md": twice}, config=CONFIG)
    with pytest.raises(SiteError) as caught:
        project.build()
    assert "already translates 'black-sea-grain-corridor-under-strain' into fr" in str(caught.value)
    shutil.rmtree(project.root)
    project = make_site({"content/briefings/a.md": briefing_md("A", lang="fr")})
    with pytest.raises(SiteError, match=r"needs `languages:` in site\.yaml"):
        project.build()
    shutil.rmtree(project.root)
    for wrong, message in (
        ("{code: 'Arabic!'}", "not a language tag"),
        ("{code: ar, path: search}", "a folder the site writes itself"),
        ("{code: ar, path: countries}", "a folder the site writes itself"),
        ("{code: ar, default: true}", "exactly one language `default: true`"),
        ("{code: fr}", "two languages share a code or a path"),
        ("{code: ar, dir: rtl}", "unknown key 'dir'"),
    ):
        bad = CONFIG.replace("{code: ar, name: العربية}", wrong)
        with pytest.raises(SiteError, match=re.escape(message)) as caught:
            make_site(FILES, config=bad).build()
        assert caught.value.problems[0].line == 5, wrong  # the line of `languages:`


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def test_incremental_equals_clean_after_adding_editing_and_deleting_translations(
    site: Project,
) -> None:
    builder = Builder(site.root, BuildOptions(run_import=False))
    builder.build()
    content = site.root / "content/briefings"
    steps = [
        lambda: (content / "ar/grain.md").write_text(
            briefing_md(
                "ممر الحبوب في البحر الأسود تحت الضغط",
                date="2026-11-21T09:00:00+00:00",
                translation_of="black-sea-grain-corridor-under-strain",
                countries=["Ukraine"],
                body="خفّضت الضربات على موانئ أوديسا شحنات الحبوب.",
            ),
            encoding="utf-8",
        ),
        lambda: (content / "fr/black-sea-grain.md").write_text(
            GRAIN_FR.replace("sous tension", "sous forte tension"), encoding="utf-8"
        ),
        lambda: (content / "uk/zernovyi-korydor.md").unlink(),
        lambda: (content / "black-sea-grain.md").write_text(
            GRAIN_EN.replace("a third", "a half"), encoding="utf-8"
        ),
        lambda: (
            (site.root / "site.yaml").write_text(
                CONFIG.replace("  - {code: uk, name: Українська}\n", ""), encoding="utf-8"
            )
            or shutil.rmtree(content / "uk", ignore_errors=True)
        ),
        lambda: (site.root / "site.yaml").write_text(CONFIG, encoding="utf-8"),
    ]
    for number, step in enumerate(steps):
        step()
        builder.build()
        clean = site.root.parent / f"clean{number}"
        shutil.copytree(site.root, clean, ignore=shutil.ignore_patterns("output", ".cache"))
        Builder(clean, BuildOptions(run_import=False)).build()
        assert _tree(clean / "output") == _tree(site.output), f"step {number}"


def test_a_site_without_languages_shows_none_of_it(make_site) -> None:
    project = make_site({"content/briefings/a.md": briefing_md("Alpha")})
    project.build()
    html = project.read("briefings/alpha/index.html")
    assert "hreflang" not in html and "language-switcher" not in html and "dir=" not in html
    assert not any("i18n" in f or "languages" in f for f in project.files())
    assert "xmlns:xhtml" not in project.read("sitemap.xml")
    search = project.html("search/index.html")  # search.js keeps its own English texts
    assert not search.all("script", id="search-strings") and "search-strings" not in search.ids


def test_language_detection_for_import() -> None:
    codes = ["en", "fr", "uk", "ru", "ar"]
    assert detect("The ministers of the Gulf states met in Doha on Tuesday.", codes) == "en"
    assert (
        detect("Les ministres se sont réunis à Paris pour la conférence sur le Liban.", codes)
        == "fr"
    )
    assert (
        detect("Міністри зустрілися в Києві, щоб обговорити постачання енергії та її ціну.", codes)
        == "uk"
    )
    assert (
        detect("Министры встретились в Москве, чтобы обсудить поставки энергии и её цены.", codes)
        == "ru"
    )
    assert detect("اجتمع وزراء الخارجية في الدوحة لبحث وقف إطلاق النار.", codes) == "ar"
    assert detect("Les ministres se sont réunis.", ["en", "de"]) == "en"  # not a site language


def test_import_with_lang_uses_the_registry_only_and_says_so(make_site) -> None:
    project = make_site(config=CONFIG)
    project.write(
        {
            "seeds/kyiv.txt": "Les frappes sur Kyiv\n\nLa Russie a frappé l'Ukraine cette nuit, "
            "selon le ministère ukrainien de la Défense.\n"
        }
    )
    from generator.cli import main

    assert main(["--project", str(project.root), "import", "--lang", "fr"]) == 0
    written = next((project.root / "content/briefings").glob("*.md")).read_text(encoding="utf-8")
    assert written.startswith("---\nlang: fr\n")
    assert main(["--project", str(project.root), "import", "--lang", "de"]) == 1
    project.build()
    assert any(p.startswith("fr/briefings/") for p in project.files())


# --- in Chromium: search per language, axe per language, right-to-left screenshots ---------------------

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHOTS = Path("/tmp/briefings-i18n-shots")  # looked at by whoever changes the theme's RTL rules


@pytest.fixture(scope="module")
def served(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The four-language site built for and served at http://127.0.0.1:<port>/."""
    from tests.conftest import static_server

    root = tmp_path_factory.mktemp("i18n-browser") / "site"
    project = Project(root)
    root.mkdir()
    project.write({"site.yaml": CONFIG, **FILES})
    with static_server(project.output) as port:
        base = f"http://127.0.0.1:{port}/"
        Builder(root, BuildOptions(run_import=False, base_url=base)).build()
        yield base


def _results(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        "#search .search-result-link", "els => els.map(e => e.getAttribute('href'))"
    )


def _search(page, base: str, lang: str, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    page.goto(f"{base}{PREFIX[lang]}search/?q={query}")
    for _ in range(200):
        status = page.text_content("#search [aria-live=polite]") or ""
        if re.search(rf"[“«]\s?{re.escape(query)}\s?[”»]", status):  # as the language quotes
            return _results(page)
        page.wait_for_timeout(50)
    raise AssertionError(f"no search status for {query!r} in {lang}: {status!r}")


@pytest.mark.browser
def test_search_finds_cyrillic_and_arabic_words_in_their_language(browser, served) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        assert _search(page, served, "uk", "відвантаження") == ["/" + GRAIN["uk"]]
        assert _search(page, served, "uk", "зерн") == ["/" + GRAIN["uk"]]  # the start of a word
        ar = _search(page, served, "ar", "الفاشر")
        assert len(ar) == 1 and ar[0].startswith("/ar/briefings/")
        assert _search(page, served, "ar", "الْفَاشِر") == ar  # harakat are folded away
        assert _search(page, served, "ar", "فاشر") == ar  # the bare word finds it with its article
        assert _search(page, served, "ar", "المدنيين") == ar
        assert _search(page, served, "fr", "cereales") == ["/" + GRAIN["fr"]]  # accents folded
        # results stay in the reader's language; the other languages are a link away, query kept
        assert _search(page, served, "en", "odesa") == ["/" + GRAIN["en"]]
        assert _search(page, served, "en", "відвантаження") == []
        elsewhere = page.eval_on_selector_all(
            "a[data-search-language]", "els => els.map(e => e.getAttribute('href'))"
        )
        assert (
            "/uk/search/?q=%D0%B2%D1%96%D0%B4%D0%B2%D0%B0%D0%BD%D1%82%D0%B0%D0%B6%D0%B5%D0%BD%D0%BD%D1%8F"
            in elsewhere
        )
    finally:
        context.close()
    assert not errors


# What search.js showed in English before it read the page's texts: none may show on /uk/search/.
ENGLISH_UI = (
    "Search briefings",
    "Search",
    "Every word",
    "Filter results",
    "Clear filters",
    "Show more",
    "Show all",
    "Show fewer",
    "Nothing to filter",
    "unavailable",
    "Type a word",
    "There are no briefings",
    "No briefings",
    "Try clearing",
    "Check the spelling",
    "briefing",
    "showing",
    "selected",
    "Countries",
    "Russia",
    "Ukraine",
    "November",
)


def _wait_status(page, needle: str) -> str:  # type: ignore[no-untyped-def]
    for _ in range(200):
        status = page.text_content("#search [aria-live=polite]") or ""
        if needle in status:
            return status
        page.wait_for_timeout(50)
    raise AssertionError(f"no {needle!r} in the search status: {status!r}")


@pytest.mark.browser
def test_search_ui_reads_in_the_page_language(browser, served) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # the filters start open
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(f"{served}uk/search/")
        assert "1 огляді" in _wait_status(page, "Введіть слово")  # Intl.PluralRules('uk'): one
        page.goto(f"{served}uk/search/?q=зерн")
        assert _wait_status(page, "«зерн»") == "1 огляд за запитом «зерн»"
        ui = page.text_content("#search") or ""  # hidden texts too (the advice, "Show more"...)
        assert page.text_content("#search .search-label") == "Пошук в оглядах"
        assert page.text_content("#search .search-box button") == "Пошук"
        assert page.text_content("#search .search-filters summary").startswith(
            "Фільтрувати результати"
        )
        assert page.text_content("#search fieldset[data-taxonomy=countries] legend") == "Країни"
        names = page.eval_on_selector_all(
            "#search fieldset[data-taxonomy=countries] .search-facet-name",
            "els => els.map(e => e.textContent)",
        )
        assert sorted(names) == ["Росія", "Україна"]
        meta = page.text_content("#search .search-result-meta")
        assert "20 листопада 2026" in meta and "Україна, Росія" in meta
        found = [word for word in ENGLISH_UI if re.search(rf"\b{word}\b", ui)]
        assert not found, (found, ui)
        page.check("#search input[value=russia]")  # a filter: its Ukrainian name in the status
        assert "з фільтром Росія" in _wait_status(page, "Росія")
        assert "вибрано: 1" in page.text_content("#search .search-filter-count")
        assert page.text_content("#search .search-clear") == "Скинути фільтри"
        page.goto(f"{served}uk/search/?q=qwertyzz")
        assert _wait_status(page, "«qwertyzz»") == "Немає оглядів за запитом «qwertyzz»."
        assert page.text_content("#search .search-advice").startswith("Перевірте написання")
        # Arabic: the plural form Intl.PluralRules('ar') picks for 1, and the digits Intl.NumberFormat gives
        page.goto(f"{served}ar/search/?q=الفاشر")
        status = _wait_status(page, "«الفاشر»")
        assert status == "إحاطة واحدة عن «الفاشر»", status
        assert "briefing" not in page.text_content("#search")
        # the default language's page reads as a site in one language does
        page.goto(f"{served}search/?q=odesa")
        assert _wait_status(page, "“odesa”") == "1 briefing for “odesa”"
        assert "20 November 2026" in page.text_content("#search .search-result-meta")
    finally:
        context.close()
    csp = [p for p in problems if "Content Security Policy" in p or "Refused" in p]
    assert not csp and not [p for p in problems if "Uncaught" in p or "Error" in p], problems


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_nothing_in_every_language(browser, served, lang) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    briefing = GRAIN.get(lang) or "ar/briefings/"
    context = browser.new_context()
    page = context.new_page()
    try:
        paths = [PREFIX[lang], f"{PREFIX[lang]}countries/", f"{PREFIX[lang]}search/"]
        if lang != "ar":
            paths.append(briefing)
        else:
            page.goto(served + "ar/")
            paths.append(page.get_attribute(".card-title a", "href").lstrip("/"))
        for path in paths + (["translations/"] if lang == "en" else []):
            page.goto(served + path)
            report = Axe().run(
                page,
                options={
                    "runOnly": {"type": "tag", "values": WCAG_AA},
                    "resultTypes": ["violations"],
                },
            )
            found = [
                f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
                for v in report.response["violations"]
            ]
            assert not found, (path, found)
    finally:
        context.close()


@pytest.mark.browser
def test_screenshots_of_an_arabic_briefing_and_the_french_home(browser, served) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(served + "ar/")
        page.click(".card-title a")
        page.wait_for_load_state("networkidle")
        assert page.get_attribute("html", "dir") == "rtl"
        # right to left: the title sits at the right, the switcher and search at the left
        title = page.locator("h1").bounding_box()
        assert title is not None and title["x"] + title["width"] > 1280 / 2
        page.screenshot(path=str(SHOTS / "ar-briefing.png"), full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=str(SHOTS / "ar-briefing-print.png"), full_page=True)
        page.emulate_media(media="screen")
        page.goto(served + "fr/")
        page.screenshot(path=str(SHOTS / "fr-home.png"), full_page=True)
        page.goto(served + "ar/countries/sudan/")
        page.screenshot(path=str(SHOTS / "ar-term.png"), full_page=True)
    finally:
        context.close()


def test_the_default_language_in_a_folder_and_pages_per_language(make_site) -> None:
    config = CONFIG.replace(
        "{code: en, name: English, default: true}", "{code: en, default: true, path: en}"
    )
    files = {
        **FILES,
        "content/pages/fr/apropos.md": "---\ntitle: À propos\n---\n\nQui sommes-nous.\n",
    }
    project = make_site(files, config=config)
    project.build()
    assert (
        "en/index.html" in project.files() and "en/" + GRAIN["en"] + "index.html" in project.files()
    )
    root = project.html("index.html")
    assert root.all("link", rel="canonical")[0]["href"] == "https://example.org/en/"
    assert "404.html" in project.files() and "sitemap.xml" in project.files()
    fr_nav = [a["href"] for a in project.html("fr/index.html").all("a")]
    assert "/fr/apropos/" in fr_nav and "/en/about/" not in fr_nav
    assert "/en/about/" in [a["href"] for a in project.html("en/index.html").all("a")]


def test_briefings_check_finds_nothing_wrong_in_any_language(site: Project) -> None:
    from generator.dev.check import check_site

    report = check_site(site.output, "https://example.org/", html_validation=False)
    assert not report.problems, report.problems[:5]
    assert report.pages == len(html_files(site))


def test_arabic_words_are_indexed_without_their_article_too() -> None:
    from generator.read.words import arabic_stem, index_terms

    assert arabic_stem("الفاشر") == "فاشر" and arabic_stem("والمدنيين") == "مدنيين"
    assert arabic_stem("الى") == "الى" and arabic_stem("corridor") == "corridor"
    terms = dict(pair.rsplit(":", 1) for pair in index_terms("", "", (), {}, "في الفاشر").split())
    assert terms["الفاشر"] == terms["فاشر"] == "1"


def test_the_news_sitemap_lists_every_language(site: Project) -> None:
    as_of = datetime(2026, 11, 21, 8, tzinfo=UTC)
    Builder(site.root, BuildOptions(run_import=False, as_of=as_of)).build()
    text = site.read("sitemap-news.xml")
    assert f"<loc>https://example.org/{GRAIN['uk']}</loc>" in text
    assert (
        "<news:language>uk</news:language>" in text and "<news:language>fr</news:language>" in text
    )
    assert "<news:language>ar</news:language>" not in text  # 18 November: over 48 hours before


def test_an_arabic_title_is_drawn_on_its_preview_image(make_site) -> None:
    from PIL import Image

    project = make_site(
        {"content/briefings/ar/sudan.md": SUDAN_AR, "content/briefings/sudan.md": SUDAN_EN},
        config=CONFIG.replace("preview_images: false", "preview_images: true"),
    )
    project.build()
    folder = next((project.output / "ar/briefings").iterdir())
    image = Image.open(folder / "preview.png").convert("L")
    title_area = image.crop((64, 120, 640, 420))  # where the title goes, left of the map
    assert title_area.getextrema()[0] < 80  # ink: the glyphs were in the font


def test_entity_names_per_language_from_the_registry(make_site) -> None:
    registry = (
        "people:\n  - name: Volodymyr Zelenskyy\n    aliases: [Zelenskyy]\n"
        "    names: {uk: Володимир Зеленський, fr: Volodymyr Zelensky}\n"
        "countries:\n  - name: Moldova\n    names: {fr: République de Moldavie}\n"
    )
    files = {
        **FILES,
        "content/_data/entities.yaml": registry,
        "content/briefings/fr/moldavie.md": ELECTIONS_FR.replace(
            "countries:", "people: [Volodymyr Zelenskyy]\ncountries:"
        ),
        "content/briefings/uk/zernovyi-korydor.md": GRAIN_UK.replace(
            "countries:", "people: [Volodymyr Zelenskyy]\ncountries:"
        ),
    }
    project = make_site(files, config=CONFIG)
    project.build()
    assert (
        "Володимир Зеленський"
        in project.html("uk/people/volodymyr-zelenskyy/index.html").texts("h1")[0]
    )
    assert (
        "Volodymyr Zelensky"
        in project.html("fr/people/volodymyr-zelenskyy/index.html").texts("h1")[0]
    )
    assert (
        "République de Moldavie" in project.html("fr/countries/moldova/index.html").texts("h1")[0]
    )
    assert "Ukraine" in project.html("fr/countries/ukraine/index.html").texts("h1")[0]  # CLDR's
    # editing a name renders that language's pages showing it again, like a clean build
    builder = Builder(project.root, BuildOptions(run_import=False))
    builder.build()
    project.write(
        {"content/_data/entities.yaml": registry.replace("Зеленський", "Зеленський (Президент)")}
    )
    builder.build()
    assert "(Президент)" in project.read("uk/people/volodymyr-zelenskyy/index.html")
    clean = project.root.parent / "clean-names"
    shutil.copytree(project.root, clean, ignore=shutil.ignore_patterns("output", ".cache"))
    Builder(clean, BuildOptions(run_import=False)).build()
    assert _tree(clean / "output") == _tree(project.output)


def test_registry_names_find_entities_in_other_languages_seeds(tmp_path: Path) -> None:
    from generator.read.entities import find_entities, load_registry

    text = "У Києві Володимир Зеленський зустрівся з послами."
    assert "Volodymyr Zelenskyy" not in find_entities(text, "Візит", load_registry(None)).people
    extra = tmp_path / "entities.yaml"
    extra.write_text(
        "people:\n  - name: Volodymyr Zelenskyy\n    names: {uk: Володимир Зеленський}\n",
        encoding="utf-8",
    )
    found = find_entities(text, "Візит", load_registry(extra))
    assert "Volodymyr Zelenskyy" in found.people  # the canonical name, shared by every language


def test_one_language_declared_translates_the_ui_and_an_english_theme_catalog_renames(
    make_site,
) -> None:
    arabic = "title: Desk\nbase_url: https://example.org/\npreview_images: false\n"
    project = make_site(
        {"content/briefings/sudan.md": SUDAN_AR},
        config=arabic + "languages: [{code: ar, default: true}]\n",
    )
    project.build()
    page = project.html("index.html")
    assert page.all("html")[0].get("dir") == "rtl" and "أحدث الإحاطات" in page.text
    assert not page.all("nav", class_="language-switcher") and not alternates(page)
    assert any("i18n" in str(a.get("href")) for a in page.all("link", rel="stylesheet"))
    shutil.rmtree(project.root)
    project = make_site(FILES, config=CONFIG + "theme: desk\n")
    project.write(
        {
            "themes/desk/locales/en/LC_MESSAGES/messages.po": (
                'msgid ""\nmsgstr ""\n\nmsgid "Latest briefings"\nmsgstr "Top stories"\n'
            )
        }
    )
    project.build()
    assert "Top stories" in project.html("index.html").text
    assert "Top stories" not in project.html("fr/index.html").text


def test_briefings_check_reports_a_one_way_hreflang(site: Project) -> None:
    from generator.dev.check import check_site

    page = site.output / GRAIN["uk"] / "index.html"
    text = page.read_text(encoding="utf-8")
    french = f'<link rel="alternate" hreflang="fr" href="https://example.org/{GRAIN["fr"]}">\n'
    assert french in text
    page.write_text(text.replace(french, ""), encoding="utf-8")
    messages = [
        str(p)
        for p in check_site(site.output, "https://example.org/", html_validation=False).problems
    ]
    assert any(
        m.startswith(GRAIN["fr"]) and f"{GRAIN['uk']} does not link back" in m for m in messages
    ), messages
    absent = text.replace(french, french.replace("le-corridor", "no-such"))
    page.write_text(absent, encoding="utf-8")
    messages = [
        str(p)
        for p in check_site(site.output, "https://example.org/", html_validation=False).problems
    ]
    assert any("no-such" in m and "does not exist" in m for m in messages), messages


def test_term_descriptions_per_language(make_site) -> None:
    project = make_site(
        {
            **FILES,
            "content/countries/ukraine.md": "---\ntitle: Ukraine\n---\n\nA country at war since 2022.\n",
            "content/countries/fr/ukraine.md": "---\ntitle: Ukraine\n---\n\nUn pays en guerre depuis 2022.\n",
        },
        config=CONFIG,
    )
    project.build()
    assert "A country at war" in project.read("countries/ukraine/index.html")
    assert "Un pays en guerre" in project.read("fr/countries/ukraine/index.html")
    assert "A country at war" in project.read("uk/countries/ukraine/index.html")  # the default's
    assert "Un pays en guerre" not in project.read("countries/ukraine/index.html")


def test_a_renamed_translation_and_its_aliases_redirect(site: Project) -> None:
    record = (site.root / "published-urls.txt").read_text(encoding="utf-8")
    assert GRAIN["fr"] in record and "uk:countries:ukraine" in record
    fr_file = site.root / "content/briefings/fr/black-sea-grain.md"
    fr_file.write_text(
        GRAIN_FR.replace("sous tension", "sous pression").replace(
            "summary:", "aliases: [/fr/ancien/corridor/]\nsummary:"
        ),
        encoding="utf-8",
    )
    site.build()
    new = "fr/briefings/le-corridor-cerealier-de-la-mer-noire-sous-pression/"
    assert f"{new}index.html" in site.files()
    for old in (GRAIN["fr"], "fr/ancien/corridor/"):
        moved = site.html(f"{old}index.html")
        assert moved.all("link", rel="canonical")[0]["href"] == f"https://example.org/{new}"
    rules = site.read("_redirects")
    assert f"/{GRAIN['fr']} /{new} 301" in rules


def test_a_briefing_s_translation_group_is_found_by_language_and_slug() -> None:
    """`Translations.of` by its index: each member of each group, None for another language's slug, and the
    first group where a briefing belongs to two (a French folder briefing translating an English source and
    itself the source a Ukrainian translation names)."""
    from types import SimpleNamespace

    from generator.site.languages import Group, Translations, Version

    def member(lang: str, slug: str, state: str) -> Version:
        return Version(lang, SimpleNamespace(slug=slug), state)  # type: ignore[arg-type]

    en = Group(None, "en", "v1", (member("en", "grain", "source"), member("fr", "ble", "current")))  # type: ignore[arg-type]
    fr = Group(None, "fr", "v2", (member("fr", "ble", "source"), member("uk", "zerno", "stale")))  # type: ignore[arg-type]
    found = Translations((en, fr))
    assert found.of("en", "grain") is en and found.of("fr", "ble") is en
    assert found.of("uk", "zerno") is fr
    assert found.of("fr", "grain") is None and found.of("de", "ble") is None
    assert Translations((fr, en)).of("fr", "ble") is fr


def test_serve_writes_an_edited_briefing_s_page_first_in_every_language(site: Project) -> None:
    """Serve's fast render on a multilingual site: the page of an edited translation (its text and summary)
    and of an edited source is written at once, under its language's folder with its versions, switcher
    and notice, byte for byte the page the full rebuild then makes and leaves (and a clean build makes)."""
    builder = Builder(site.root, BuildOptions(run_import=False, swap=False))
    builder.build()
    edits = {
        "content/briefings/fr/black-sea-grain.md": GRAIN_FR.replace(
            "ont réduit", "ont encore réduit"
        ).replace("Le trafic dans", "Le trafic maritime dans"),
        "content/briefings/sudan.md": SUDAN_EN.replace("thousands of civilians", "many civilians"),
    }
    site.write(edits)
    fast = builder.quick({site.root / rel for rel in edits})
    assert fast is not None
    pages = {
        GRAIN["fr"] + "index.html",
        "briefings/fighting-intensifies-around-el-fasher/index.html",
    }
    assert set(fast.changed_paths) == pages
    quick = {rel: (site.output / rel).read_bytes() for rel in pages}
    assert "encore réduit" in quick[GRAIN["fr"] + "index.html"].decode()
    report = builder.build({site.root / rel for rel in edits})
    assert not pages & set(report.stats.changed_paths)  # found current: left as written
    clean = site.root.parent / "clean"
    shutil.copytree(site.root, clean, ignore=shutil.ignore_patterns("output", ".cache"))
    Builder(clean, BuildOptions(run_import=False)).build()
    assert {rel: (clean / "output" / rel).read_bytes() for rel in pages} == quick
    assert _tree(clean / "output") == _tree(site.output)


def test_a_cli_build_makes_no_language_s_search_index_again_when_none_of_its_briefings_changed(
    site: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each language's index is kept in .cache/ as the default language's is: after an edit of an English
    briefing, a new process patches the English index and makes no other language's again (it made all
    three again before), and the files equal a clean build's."""
    from generator.build import search_index

    made: list[int] = []
    real = search_index.build_shards
    monkeypatch.setattr(search_index, "build_shards", lambda words: made.append(1) or real(words))
    Builder(site.root, BuildOptions(run_import=False)).build()  # a new process
    site.write(
        {"content/briefings/sudan.md": SUDAN_EN.replace("civilians fled", "civilians fled west")}
    )
    made.clear()
    builder = Builder(site.root, BuildOptions(run_import=False))
    builder.build()
    assert made == [] and builder.search.full_runs == 0
    assert all(index.full_runs == 0 for index in builder.languages_search.indexes.values())
    site.write({"content/briefings/fr/moldavie.md": ELECTIONS_FR.replace("nord", "sud")})
    Builder(site.root, BuildOptions(run_import=False)).build()
    assert made == [1]  # French only: a language's index is made again when its briefings change
    clean = site.root.parent / "clean"
    shutil.copytree(site.root, clean, ignore=shutil.ignore_patterns("output", ".cache"))
    Builder(clean, BuildOptions(run_import=False)).build()
    assert _tree(clean / "output") == _tree(site.output)
