"""Images, callouts, shortcodes and data files in briefings (#16), tested on built sites."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from generator.core.config import load_config
from generator.core.errors import SiteError
from generator.dev.audit import audit_content
from tests.conftest import Page, briefing_md

GPS = 0x8825


def photo(size: tuple[int, int] = (1000, 750), fmt: str = "JPEG", colour=(150, 90, 40)) -> bytes:
    """An image with an EXIF GPS position and a camera make."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[GPS] = {1: "N", 2: (12.0, 30.0, 0.0), 3: "W", 4: (8.0, 0.0, 0.0)}
    exif[0x010F] = "TestCam"
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


BODY = """\
Opening paragraph.

![Soldiers in Gao](photo.jpg "Troops in Gao"){: credit="Photo: AFP" licence="CC BY 4.0"}

A chart of arrivals:

![Arrivals chart](shared.png)

!!! warning "Watch the border"
    Crossings rose.

{{< chart data="refugees.csv" x="month" y="arrivals" title="Arrivals" source="UNHCR" >}}

{{< table data="refugees" caption="Monthly arrivals" >}}

{{< map countries="Mali, Niger" >}}
"""
CSV = "month,arrivals\nJan,1200\nFeb,1850\nMar,2400\n"


def site_files(body: str = BODY, **fields: object) -> dict[str, str | bytes]:
    return {
        "content/briefings/sahel/index.md": briefing_md(
            "Sahel", body=body, image="photo.jpg", **fields
        ),
        "content/briefings/sahel/photo.jpg": photo(),
        "content/images/shared.png": photo((900, 600), "PNG", (20, 90, 160)),
        "content/_data/refugees.csv": CSV,
    }


def srcset_files(value: str) -> list[tuple[str, int]]:
    return [(c.split()[0], int(c.split()[1][:-1])) for c in value.split(",")]


def test_images_are_published_responsive_without_location(make_site):
    site = make_site(site_files())
    report = site.build()
    page = site.html("briefings/sahel/index.html")
    sources = page.all("source")
    imgs = [i for i in page.all("img") if "/static/img/" in (i.get("src") or "")]
    assert {s["type"] for s in sources} >= {"image/webp"}
    checked = 0
    for element in [*sources, *imgs]:
        if not element.get("srcset"):
            continue
        for url, width in srcset_files(element["srcset"] or ""):
            with Image.open(site.output / url.lstrip("/")) as image:
                image.load()  # decodes
                assert image.width == width
                assert not image.getexif().get_ifd(GPS), url
                checked += 1
    # lead and body photo share their files (one source); the PNG has its own
    assert checked >= 15 and report.images_derived == len(
        list((site.output / "static/img").iterdir())
    )
    # width/height of the largest file; the lead image loads first, body images after the first lazily
    lead, first, second = imgs
    assert (lead["width"], lead["height"]) == ("1000", "750")
    assert "loading" not in lead and "loading" not in first
    assert second["loading"] == "lazy"
    assert (second["width"], second["height"]) == ("900", "600")
    assert first["alt"] == "Soldiers in Gao"
    assert "Troops in Gao" in page.texts("figcaption")[0]
    assert "Photo: AFP · CC BY 4.0" in page.text
    # the source files themselves are never published
    assert not any(f.endswith(("photo.jpg", "shared.png")) for f in site.files())


def test_a_site_may_keep_location_metadata(make_site):
    site = make_site(
        site_files(), config="base_url: https://example.org/\nimages: {keep_location: true}\n"
    )
    site.build()
    jpegs = list((site.output / "static/img").glob("photo.*.jpg"))
    with Image.open(jpegs[0]) as image:
        assert image.getexif().get_ifd(GPS)


def test_charts_tables_maps_and_callouts_are_drawn_at_build_time(make_site):
    site = make_site(site_files())
    site.build()
    html = site.read("briefings/sahel/index.html")
    page = Page.parse(html)
    assert '<div class="admonition warning">' in html
    assert "Watch the border" in page.texts("p")[2] or "Watch the border" in page.text
    # chart: an SVG whose labels carry the data's values; no script anywhere
    for value in ("1,200", "1,850", "2,400", "Jan", "Mar"):
        assert value in " ".join(page.texts("text"))
    assert len(page.all("rect")) == 3 and "<script" not in html.split("</header>", 1)[1]
    assert page.texts("caption") == ["Monthly arrivals"]
    assert list(page.all("td", **{"class": "num"}))
    assert {"Mali", "Niger"} <= set(page.texts("text"))
    css = next((site.output / "static").glob("style.*.css")).read_text()
    for rule in (".admonition.warning", ".admonition.key-judgement", ".chart-bars rect"):
        assert rule in css


def test_lead_image_in_cards_and_feeds(make_site):
    site = make_site(site_files())
    site.build()
    feed = json.loads(site.read("feed.json"))
    assert feed["items"][0]["image"].startswith("https://example.org/static/img/photo.")
    assert 'type="image/jpeg"' in site.read("rss.xml") and "<enclosure" in site.read("rss.xml")
    home = site.html("index.html")
    assert any("card-image" in (d.get("class") or "") for d in home.all("div"))
    # srcset in full-content feeds is absolute
    assert "https://example.org/static/img/shared." in site.read("feed.xml")


def test_only_changed_images_are_encoded_again(make_site):
    site = make_site(site_files())
    assert site.build().images_derived > 0
    site.write(
        {
            "content/briefings/sahel/index.md": briefing_md(
                "Sahel", body=BODY + "\nMore.", image="photo.jpg"
            )
        }
    )
    assert site.build().images_derived == 0
    site.write({"content/images/shared.png": photo((900, 600), "PNG", (200, 10, 10))})
    report = site.build()
    assert report.images_derived == len([f for f in site.files() if "/shared." in f])
    assert report.rendered >= 1
    # a data file edit re-renders the page that draws it, and nothing is encoded
    site.write({"content/_data/refugees.csv": CSV + "Apr,3100\n"})
    report = site.build()
    assert report.images_derived == 0
    assert "3,100" in site.read("briefings/sahel/index.html")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"content/briefings/sahel/photo.jpg": b"\xff\xd8\xff\xe0 not a jpeg"},
            "not a readable image",
        ),
        ({"content/images/shared.png": photo((900, 600), "PNG")[:300]}, "cannot be decoded"),
        ({"content/_data/refugees.csv": None}, "no data file 'refugees.csv'"),
        (
            {
                "content/images/shared.png": b"",
                "content/images/evil.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            },
            "contains <script>",
        ),
    ],
)
def test_bad_images_and_data_are_errors_with_file_and_line(make_site, files, expected):
    base = site_files()
    if expected == "contains <script>":
        base["content/briefings/sahel/index.md"] = briefing_md(
            "Sahel", body="Text.\n\n![Evil](evil.svg)\n"
        )
    site = make_site(base)
    for rel, data in files.items():
        if data is None:
            (site.root / rel).unlink()
        else:
            site.write({rel: data})
    with pytest.raises(SiteError) as caught:
        site.build()
    problem = caught.value.problems[0]
    assert expected in problem.message and str(problem.path).endswith("index.md") and problem.line
    assert not site.output.exists()


def test_a_missing_image_names_file_and_line(make_site):
    site = make_site(
        {"content/briefings/x.md": briefing_md("X", body="Text.\n\n![Gone](gone.jpg)\n")}
    )
    with pytest.raises(SiteError) as caught:
        site.build()
    assert "x.md:8: image 'gone.jpg' not found" in str(caught.value)


def test_a_decompression_bomb_is_refused(make_site):
    big = io.BytesIO()
    Image.new("1", (20000, 10000)).save(big, "PNG")  # 200 megapixels, 25 KB of PNG
    site = make_site(
        {
            "content/briefings/x.md": briefing_md("X", body="![Big](big.png)"),
            "content/images/big.png": big.getvalue(),
        }
    )
    with pytest.raises(SiteError) as caught:
        site.build()
    assert "megapixels" in str(caught.value)


def test_missing_alt_text_is_a_warning_in_build_and_check(make_site):
    site = make_site(
        {
            "content/briefings/x.md": briefing_md("X", body="Text.\n\n![](pic.png)\n"),
            "content/images/pic.png": photo((300, 200), "PNG"),
        }
    )
    report = site.build()
    assert any("x.md:8: image 'pic.png' has no alt text" in w for w in report.warnings)
    problems = audit_content(load_config(site.root))
    assert [p.line for p in problems if "alt text" in p.message] == [8]
