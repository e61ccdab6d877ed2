"""Hostile input: seeds and front matter never inject markup or script; paths never escape; output is safe.

The corpus lives in tests/data/hostile/ (the 10 MB single-line seed is made at test time, not kept in git).
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build.write import MARKER, check_output_dir
from generator.cli import main
from generator.core.errors import SiteError
from generator.dev.check import check_site
from tests.conftest import Page, briefing_md

HOSTILE = Path(__file__).parent / "data" / "hostile"
SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data:text/html)", re.IGNORECASE)
URL_ATTRS = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "xlink:href",
    "background",
    "cite",
    "srcset",
}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}


class _Scan(HTMLParser):
    """Finds script elements, event handlers and script URLs in one HTML document or fragment."""

    def __init__(self, where: str, theme_scripts: set[str]):
        super().__init__(convert_charrefs=True)
        self.where = where
        self.theme_scripts = theme_scripts
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        line = self.getpos()[0]
        own = a.get("src", "").split("/static/")[-1] in self.theme_scripts and "/static/" in a.get(
            "src", ""
        )
        # Only the theme's own (fingerprinted) scripts, and JSON-LD data.
        if tag == "script" and not own and a.get("type") != "application/ld+json":
            self.found.append(f"{self.where}:{line}: <script {a}>")
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"{self.where}:{line}: <{tag}>")
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.found.append(f"{self.where}:{line}: meta refresh")
        for name, value in a.items():
            if name.startswith("on"):
                self.found.append(f"{self.where}:{line}: {name}= on <{tag}>")
            if name in URL_ATTRS and SCRIPT_URL.match(value.replace("\x00", "")):
                self.found.append(f"{self.where}:{line}: {name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def scan_html(text: str, where: str, theme_scripts: set[str]) -> list[str]:
    scanner = _Scan(where, theme_scripts)
    scanner.feed(text)
    scanner.close()
    return scanner.found


HTML_FEED_FIELDS = {"description", "encoded", "content", "summary", "subtitle", "rights"}


def scan_output(output: Path) -> list[str]:
    """Every injection found in pages, feeds, the sitemap and search data (any .json) of a built site."""
    theme_scripts = (
        {p.name for p in (output / "static").rglob("*.js")}
        if (output / "static").is_dir()
        else set()
    )
    found: list[str] = []
    for path in sorted(output.rglob("*")):
        if (
            not path.is_file()
            or path.name == MARKER
            or path.suffix == ".png"  # preview images: pixels, not markup
            or "/static/" in f"/{path.relative_to(output).as_posix()}"
        ):
            continue
        rel = path.relative_to(output).as_posix()
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".html", ".htm"):
            found += scan_html(text, rel, theme_scripts)
        elif path.suffix == ".xml":
            root = ET.fromstring(text)
            for element in root.iter():
                local = element.tag.rsplit("}", 1)[-1]
                if local == "script":
                    found.append(f"{rel}: <script> element in XML")
                # Atom type="html", RSS description/content:encoded: HTML that readers render.
                if element.text and (
                    element.get("type") in ("html", "xhtml") or local in HTML_FEED_FIELDS
                ):
                    found += scan_html(element.text, f"{rel} <{local}>", set())
                for name, value in element.attrib.items():
                    if SCRIPT_URL.match(value):
                        found.append(f"{rel}: {name}={value!r} on <{local}>")
                if (
                    local in ("loc", "link", "id", "uri", "url")
                    and element.text
                    and SCRIPT_URL.match(element.text)
                ):
                    found.append(f"{rel}: <{local}>{element.text}")
        elif path.suffix == ".json":
            found += _scan_json(json.loads(text), rel)
    return found


def _scan_json(value: object, where: str, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _scan_json(v, where, str(k))]
    if isinstance(value, list):
        return [f for v in value for f in _scan_json(v, where, key)]
    if isinstance(value, str):
        # URL fields only (as for XML above): a headline reading "JavaScript" is text, not a link.
        if (
            key.endswith("url") or key in ("image", "icon", "favicon", "avatar", "banner_image")
        ) and SCRIPT_URL.match(value):
            return [f"{where}: {key}={value[:60]!r}"]
        if key.endswith("html"):
            return scan_html(value, f"{where} {key}", set())
    return []


def copy_corpus(root: Path, base_url: str = "https://example.org/sub/") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(f"title: Hostile\nbase_url: {base_url}\n", encoding="utf-8")
    shutil.copytree(HOSTILE / "content", root / "content")
    return root


# --- the scanner itself ----------------------------------------------------------------------------------


def test_scanner_finds_what_it_looks_for(tmp_path):
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "index.html").write_text(
        '<p onclick="x">a</p><a href=" javascript:alert(1)">b</a><script>1</script><iframe></iframe>'
    )
    (out / "feed.xml").write_text(
        "<rss><channel><item><description>&lt;img src=x onerror=alert(1)&gt;</description></item></channel></rss>"
    )
    (out / "search.json").write_text(
        json.dumps([{"url": "javascript:alert(1)", "content_html": "<script>x</script>"}])
    )
    found = scan_output(out)
    # onclick, javascript: href, script, iframe, onerror in the feed, url and script in the json
    assert len(found) == 7, found


# --- hostile content (front matter and bodies) --------------------------------------------------------


def test_hostile_content_builds_without_injection(tmp_path):
    root = copy_corpus(tmp_path / "site")
    assert main(["-C", str(root), "build", "--no-import"]) == 0
    output = root / "output"
    assert scan_output(output) == []
    page = Page.parse(
        (output / "briefings" / "title-script-alert-fm-title-script" / "index.html").read_text(
            encoding="utf-8"
        )
    )
    # Neutralised, not lost: the hostile title is shown as text.
    assert page.texts("h1") == ["</title><script>alert('fm-title')</script>"]
    assert page.texts("title")[0].startswith("</title><script>alert('fm-title')</script>")
    description = page.all("meta", name="description")[0]["content"]
    assert description == "He said \"hi\" ' onmouseover=alert(1) x='"
    source = [a["href"] for a in page.all("a") if "example.com" in str(a.get("href"))]
    assert source == ["https://example.com/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"]
    # The long title is kept whole on its page, its slug and file name are bounded.
    long_dirs = [p for p in (output / "briefings").iterdir() if p.name.startswith("long-headline")]
    assert len(long_dirs) == 1 and len(long_dirs[0].name) <= 80
    # Links and anchors still resolve, every page has its head elements and the sitemap is complete.
    problems = [
        str(p)
        for p in check_site(output, "https://example.org/sub/", html_validation=False).problems
    ]
    # <img src=x> from content is a broken image, not a hazard
    assert [p for p in problems if "x does not exist" not in p] == []


def test_script_url_in_source_is_refused_with_file_and_line(make_site, capsys):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md(
                "A", source={"name": "Wire", "url": "javascript:alert(1)"}
            )
        }
    )
    assert main(["-C", str(project.root), "build", "--no-import"]) == 1
    err = capsys.readouterr().err
    assert (
        f"{project.root / 'content/briefings/a.md'}:" in err
        and "source url must start with http:// or https://" in err
    )
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "slug",
    [
        "../../etc",
        "/etc/passwd",
        "..",
        "a/../../b",
        "a/b",
        "C:\\windows",
        "~root",
        ".hidden",
        "a\x00b",
    ],
)
def test_path_traversal_slug_is_refused(make_site, capsys, slug):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("A", slug=slug),
            "content/pages/p.md": f"---\ntitle: P\nslug: {json.dumps(slug)}\n---\n",
        }
    )
    assert main(["-C", str(project.root), "build", "--no-import"]) == 1
    err = capsys.readouterr().err
    # a NUL is refused as the control character it is, before the slug rules look at it
    refused = "control character U+0000 in 'slug'" if "\x00" in slug else "is not allowed"
    assert f"{project.root / 'content/briefings/a.md'}:" in err and refused in err
    assert f"{project.root / 'content/pages/p.md'}:" in err
    assert not (project.root / "etc").exists() and not project.output.exists()


@pytest.mark.parametrize("template", ["../../../../etc/passwd", "/etc/passwd", "../site.yaml"])
def test_page_template_cannot_leave_the_theme(make_site, capsys, template):
    project = make_site(
        {"content/pages/p.md": f"---\ntitle: P\ntemplate: {json.dumps(template)}\n---\n"}
    )
    assert main(["-C", str(project.root), "build", "--no-import"]) == 1
    err = capsys.readouterr().err
    assert (
        "p.md:3: 'template' must name a theme template" in err
        and "Traceback" not in err
        and "root:" not in err
    )


def test_symlinked_file_pointing_outside_content_is_refused(make_site, capsys, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(briefing_md("Secret"), encoding="utf-8")
    project = make_site({"content/briefings/ok.md": briefing_md("Ok")})
    (project.root / "content/briefings/evil.md").symlink_to(outside)
    assert main(["-C", str(project.root), "build", "--no-import"]) == 1
    assert "symlink points outside content/" in capsys.readouterr().err


def test_symlinked_folder_pointing_outside_content_is_refused(make_site, capsys, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.md").write_text(briefing_md("Secret"), encoding="utf-8")
    project = make_site({"content/briefings/ok.md": briefing_md("Ok")})
    (project.root / "content/briefings/linked").symlink_to(outside, target_is_directory=True)
    code = main(["-C", str(project.root), "build", "--no-import"])
    err = capsys.readouterr().err
    # Either refused with a clear error, or not followed at all: never published.
    assert (code == 1 and "outside content/" in err) or (
        code == 0 and not (project.output / "briefings/secret").exists()
    )


def test_symlink_inside_content_is_fine(make_site):
    project = make_site({"content/shared/a.md": briefing_md("Shared")})
    (project.root / "content/briefings").mkdir(parents=True)
    (project.root / "content/briefings/a.md").symlink_to(project.root / "content/shared/a.md")
    project.build()
    assert (project.output / "briefings/shared/index.html").is_file()


@pytest.mark.parametrize(
    "name,data,line",
    [
        ("broken.md", b"---\ntitle: A\ndate: 2026-11-01\n---\n\nok \xff\xfe bad\n", 6),
        ("nul.md", b"---\ntitle: A\ndate: 2026-11-01\n---\n\nline\nNUL \x00 here\n", 7),
    ],
)
def test_broken_utf8_and_nul_in_content_are_refused_with_line(make_site, capsys, name, data, line):
    project = make_site({f"content/briefings/{name}": data})
    assert main(["-C", str(project.root), "build", "--no-import"]) == 1
    assert f"{project.root / 'content/briefings' / name}:{line}: " in capsys.readouterr().err


# --- the output folder -------------------------------------------------------------------------------------


def test_output_refuses_a_foreign_non_empty_folder(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work")
    with pytest.raises(SiteError, match="refusing to write here"):
        check_output_dir(folder)
    file = tmp_path / "file.txt"
    file.write_text("x")
    with pytest.raises(SiteError, match="not a folder"):
        check_output_dir(file)
    check_output_dir(tmp_path / "new")  # missing: fine
    (tmp_path / "empty").mkdir()
    check_output_dir(tmp_path / "empty")
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / ".gitkeep").write_text("")
    check_output_dir(tmp_path / "kept")


@pytest.mark.parametrize("spelling", ["~", "HOME"])
def test_build_and_clean_never_touch_a_home_directory(
    make_site, capsys, monkeypatch, tmp_path, spelling
):
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "notes.txt").write_text("precious")
    (home / ".bashrc").write_text("# mine")
    monkeypatch.setenv("HOME", str(home))
    # were '~' taken literally, the folder would appear here, not in the checkout
    monkeypatch.chdir(tmp_path)
    project = make_site({"content/briefings/a.md": briefing_md("A")})
    target = "~" if spelling == "~" else str(home)
    assert main(["-C", str(project.root), "build", "--no-import", "--output", target]) == 1
    assert "refusing to write here" in capsys.readouterr().err
    assert main(["-C", str(project.root), "clean", "--output", target]) == 1
    assert (home / "Documents" / "notes.txt").read_text() == "precious" and (
        home / ".bashrc"
    ).exists()
    assert sorted(p.name for p in home.iterdir()) == [".bashrc", "Documents"]
    assert not (project.root / "~").exists() and not (tmp_path / "~").exists()


def test_output_inside_the_project_cannot_be_the_project_or_content(make_site, capsys):
    project = make_site({"content/briefings/a.md": briefing_md("A")})
    for target in (str(project.root), str(project.root / "content")):
        assert main(["-C", str(project.root), "build", "--no-import", "--output", target]) == 1
    assert (project.root / "content/briefings/a.md").is_file() and (
        project.root / "site.yaml"
    ).is_file()


def test_a_previous_build_is_replaced(make_site):
    project = make_site({"content/briefings/a.md": briefing_md("A")})
    project.build()
    (project.root / "content/briefings/a.md").unlink()
    project.write({"content/briefings/b.md": briefing_md("B")})
    project.build()
    assert (project.output / "briefings/b/index.html").is_file() and not (
        project.output / "briefings/a"
    ).exists()


# --- seeds through the importer ----------------------------------------------------------------------------


def run_import(seed_paths: list[Path], root: Path):
    """Import seeds the way `briefings build` does; SiteError problems must name their seed file."""
    from zoneinfo import ZoneInfo

    from generator.read.entities import load_registry
    from generator.read.importer import import_seeds

    try:
        return import_seeds(
            seed_paths,
            root / "content" / "briefings",
            tz=ZoneInfo("UTC"),
            registry=load_registry(None),
            date=None,
        )
    except SiteError as error:
        for problem in error.problems:
            assert str(problem.path) and str(problem).split(":")[0], problem
        return error


def test_hostile_seeds_import_and_build_without_injection(tmp_path):
    root = tmp_path / "site"
    (root / "content" / "briefings").mkdir(parents=True)
    (root / "site.yaml").write_text(
        "title: Hostile seeds\nbase_url: https://example.org/sub/\n", encoding="utf-8"
    )
    seeds = root / "seeds"
    shutil.copytree(HOSTILE / "seeds", seeds)
    # 10 MB on one line, made here rather than kept in git.
    (seeds / "huge-one-line.txt").write_text(
        "Huge seed on Russia\n" + ("word <b>bold</b> " * 620_000)[:10_000_000] + "\n",
        encoding="utf-8",
    )
    for seed in sorted(seeds.glob("*.txt")):
        run_import([seed], root)  # one at a time: a refused seed must not stop the others
    code = main(["-C", str(root), "build", "--no-import"])
    assert code in (0, 1)
    if code == 0:
        assert scan_output(root / "output") == []
    written = list((root / "content" / "briefings").rglob("*.md"))
    assert written, "no hostile seed was imported at all"
    assert all(
        p.resolve().is_relative_to((root / "content" / "briefings").resolve()) for p in written
    )


# --- property: random front matter and bodies (and seeds) never crash the build ------------------------

PROBLEM_LINE = re.compile(r"^\S.*?(:\d+)?: .+$")
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
hostile_bits = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '" onmouseover=alert(1) "',
        "javascript:alert(1)",
        "\u202e",
        "\x00",
        "../../etc",
        "---",
        "{{ config }}",
        "{% raw %}",
        "]]>",
        "&amp;",
        "\ufeff",
        "\r\n",
        ":",
        "- x",
        "#",
    ]
)
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | texts
    | hostile_bits
    | st.dates().map(str)
    | st.datetimes().map(lambda d: d.isoformat()),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=6,
)
FIELDS = [
    "title",
    "date",
    "updated",
    "summary",
    "takeaways",
    "countries",
    "people",
    "organisations",
    "topics",
    "source",
    "slug",
    "draft",
    "trend",
    "alert",
    "reading_time",
    "template",
    "url",
]
front_matter = st.dictionaries(st.sampled_from(FIELDS) | texts, values, max_size=8)
bodies = st.lists(texts | hostile_bits, max_size=8).map(" ".join)


def one_file_project(root: Path, kind: str, meta: object, body: str, raw: bytes = b"") -> None:
    """A project at `root` (base_url under /sub/) holding one content file, content/<kind>/doc.md, made of
    `meta` as YAML front matter (a placeholder title if it cannot be dumped), `body` and `raw` bytes."""
    (root / "site.yaml").write_text("base_url: https://example.org/sub/\n", encoding="utf-8")
    folder = root / "content" / kind
    folder.mkdir(parents=True)
    try:
        head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        head = "title: x\n"
    text = "---\n" + head + "---\n\n" + body + "\n"
    (folder / "doc.md").write_bytes(text.encode("utf-8", "surrogatepass") + raw)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    meta=front_matter,
    body=bodies,
    kind=st.sampled_from(["briefings", "pages"]),
    raw=st.binary(max_size=40) | st.none(),
)
def test_random_content_builds_or_reports_path_line(tmp_path_factory, meta, body, kind, raw):
    root = tmp_path_factory.mktemp("prop")
    one_file_project(root, kind, meta, body, raw or b"")
    code, out, err = _run(["-C", str(root), "build", "--no-import"])
    assert code in (0, 1), err
    assert "Traceback" not in err + out
    if code == 1:
        lines = [line for line in err.splitlines() if line and not line.startswith("error: ")]
        assert lines and all(PROBLEM_LINE.match(line) for line in lines), err
        assert all(line.startswith(str(root)) for line in lines), err
    else:
        assert (root / "output" / "index.html").is_file()
        assert scan_output(root / "output") == []


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=st.lists(texts | hostile_bits, min_size=1, max_size=12).map("\n".join),
    raw=st.binary(max_size=30) | st.none(),
)
def test_random_seeds_import_and_build_or_report(tmp_path_factory, text, raw):
    root = tmp_path_factory.mktemp("seedprop")
    (root / "site.yaml").write_text("base_url: https://example.org/\n", encoding="utf-8")
    (root / "content" / "briefings").mkdir(parents=True)
    seed = root / "seeds" / "s.txt"
    seed.parent.mkdir()
    seed.write_bytes(text.encode("utf-8", "surrogatepass") + (raw or b""))
    run_import([seed], root)  # whatever it makes of the seed, it must not raise
    code, out, err = _run(["-C", str(root), "build", "--no-import"])
    assert code in (0, 1) and "Traceback" not in err + out
    if code == 0:
        assert scan_output(root / "output") == []


def _run(argv: list[str]) -> tuple[int, str, str]:
    """main() with its output captured, any exception escaping it being the failure we look for."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()
