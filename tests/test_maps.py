"""The TopoJSON decoder, projection, antimeridian cut and SVG path encoding of generator.maps."""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path

import pytest

from generator.read.countries import country_info
from generator.render import maps
from generator.render.theme import DEFAULT_THEME_DIR

WORLD = DEFAULT_THEME_DIR / "data" / "countries-110m.json"


def test_arcs_are_delta_decoded_and_transformed():
    topology = {
        "transform": {"scale": [0.5, 2.0], "translate": [10, -5]},
        "arcs": [[[0, 0], [2, 1], [-1, 3]]],
    }
    assert maps.decode_arcs(topology) == [[(10.0, -5.0), (11.0, -3.0), (10.5, 3.0)]]


def test_unquantized_arcs_are_taken_as_is():
    assert maps.decode_arcs({"arcs": [[[1, 2], [3, 4]]]}) == [[(1.0, 2.0), (3.0, 4.0)]]


def test_rings_stitch_arcs_and_reverse_negative_indices():
    arcs = [[(0, 0), (1, 0), (1, 1)], [(0, 0), (0, 1), (1, 1)]]
    # ~1 == -2: arc 1 reversed; the shared junction point appears once.
    assert maps.stitch([0, ~1], arcs) == [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]


def test_features_keep_polygons_multipolygons_ids_and_names():
    topology = {
        "arcs": [[[0, 0], [1, 0], [1, 1], [0, 0]], [[5, 5], [6, 5], [6, 6], [5, 5]]],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0]], "id": "004", "properties": {"name": "A"}},
                    {
                        "type": "MultiPolygon",
                        "arcs": [[[0]], [[1]]],
                        "id": "008",
                        "properties": {"name": "B"},
                    },
                    {"type": "Point", "coordinates": [0, 0]},
                ],
            }
        },
    }
    features = maps.decode_features(topology, "countries")
    assert [(f.id, f.name, len(f.polygons)) for f in features] == [("004", "A", 1), ("008", "B", 2)]
    assert features[1].polygons[1][0][0] == (5.0, 5.0)


def test_equal_earth_is_centred_symmetric_and_equal_area():
    assert maps.equal_earth(0, 0) == (0.0, 0.0)
    x, y = maps.equal_earth(180, 0)
    assert x == pytest.approx(2.7059, abs=1e-3) and y == 0
    assert maps.equal_earth(-90, -45) == pytest.approx(tuple(-v for v in maps.equal_earth(90, 45)))

    # Equal area: a 1°x1° cell near the equator and near 60°N cover the same area times cos(latitude).
    def cell(lat: float) -> float:
        (x0, y0), (x1, y1) = maps.equal_earth(0, lat), maps.equal_earth(1, lat + 1)
        return abs((x1 - x0) * (y1 - y0))

    assert cell(60) / cell(0) == pytest.approx(
        math.cos(math.radians(60.5)) / math.cos(math.radians(0.5)), rel=0.02
    )


def test_simplify_drops_near_collinear_points_and_keeps_ends():
    line = [(0, 0), (1, 0.01), (2, 0), (3, 5), (4, 0)]
    assert maps.simplify(line, 0.1) == [(0, 0), (2, 0), (3, 5), (4, 0)]
    assert maps.simplify(line, 10) == [(0, 0), (4, 0)]


def test_rings_crossing_the_antimeridian_are_cut_into_pieces_within_range():
    ring = [(170, 10), (-170, 10), (-170, 20), (170, 20), (170, 10)]  # a box from 170°E to 170°W
    pieces = maps.cut_antimeridian(ring)
    assert len(pieces) == 2
    for piece in pieces:
        lons = [p[0] for p in piece]
        assert min(lons) >= -180 and max(lons) <= 180
        assert max(lons) - min(lons) == pytest.approx(10)
    assert sorted(round(min(p[0] for p in piece)) for piece in pieces) == [-180, 170]
    assert maps.cut_antimeridian([(0, 0), (1, 0), (1, 1)]) == [[(0, 0), (1, 0), (1, 1)]]


def test_path_data_rounds_to_one_decimal_with_relative_moves():
    d = maps.path_data([[(10.04, 20.0), (12.55, 20.0), (12.55, 18.96), (10.04, 20.0)]])
    assert d == "M10 20l2.6 0 0-1z"  # 18.96 rounds to 19
    # collapses to nothing after rounding
    assert maps.path_data([[(0, 0), (0.01, 0.01), (0, 0)]]) == ""


def test_world_map_from_the_shipped_natural_earth_file():
    world = maps.load_world(WORLD)
    assert len(world.shapes) > 150 and world.width == 1000
    russia = world.find("643")
    assert russia is not None and russia.name == "Russia"
    assert world.find(name="russia") is russia and world.find("999") is None
    # Every path is well-formed and stays on the map.
    number = r"-?(\d+(\.\d)?|\.\d)"
    for shape in world.shapes:
        assert re.fullmatch(rf"(M{number} {number}l[-\d. ]+z)+", shape.path), shape.name
        x0, y0, x1, y1 = shape.bbox
        assert -1 <= x0 <= x1 <= world.width + 1 and -1 <= y0 <= y1 <= world.height + 1
    # Fiji straddles the antimeridian: its pieces sit at both edges of the map, its main land at one.
    fiji = world.find("242")
    assert fiji is not None and fiji.bbox[2] - fiji.bbox[0] < 50
    # Russia's main land is its Eurasian part, not the Chukotka sliver west of 180°.
    assert 500 < russia.bbox[0] < russia.bbox[2] < 1000
    assert sum(len(s.path) for s in world.shapes) < 70_000


def test_locator_frames_the_country_with_its_neighbours():
    world = maps.load_world(WORLD)
    ukraine = world.find("804")
    locator = world.locator(ukraine)
    vx, vy, w, h = map(float, locator.view_box.split())
    x0, y0, x1, y1 = ukraine.bbox
    assert vx < x0 and vy < y0 and vx + w > x1 and vy + h > y1
    assert w / h == pytest.approx(1.5, rel=0.01)
    names = {s.name for s in locator.neighbours}
    assert {"Poland", "Belarus", "Russia", "Moldova"} <= names and "Australia" not in names
    assert locator.marker is None
    small = world.locator(world.find("048") or world.find(name="Luxembourg"))
    assert small.marker is not None  # too small to see: ringed


def test_country_names_resolve_to_iso_codes():
    assert country_info("Russia").numeric == "643"
    assert country_info("United States").alpha2 == "US"
    assert country_info("Iran").flag == "\U0001f1ee\U0001f1f7"
    assert country_info("Kosovo").numeric == ""
    assert country_info("Korea, Republic of").alpha2 == "KR"  # ISO's formal names too
    assert country_info("Atlantis") is None


def test_months_fill_gaps_and_count():
    dates = [datetime(2025, 11, 3), datetime(2026, 2, 1), datetime(2026, 2, 20)]
    rows = maps.months(dates)
    assert [(m.key, m.count) for m in rows] == [
        ("2025-11", 1),
        ("2025-12", 0),
        ("2026-01", 0),
        ("2026-02", 2),
    ]
    assert rows[0].label == "Nov 2025" and maps.months([]) == ()


def test_coverage_levels_follow_the_legend_bins():
    assert [maps.coverage_level(n) for n in (0, 1, 2, 3, 4, 5, 9, 10, 400)] == [
        0,
        1,
        2,
        3,
        3,
        4,
        4,
        5,
        5,
    ]


def test_world_is_cached_per_file_version(tmp_path: Path):
    copy = tmp_path / "w.json"
    copy.write_bytes(WORLD.read_bytes())
    assert maps.load_world(copy) is maps.load_world(copy)


def test_the_projection_is_kept_for_the_next_process_and_a_bad_copy_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Within `countries_kept_in(folder)` the projected countries are saved there, by the digest of the
    file's bytes, and read back by a later process; a damaged copy is computed again and replaced."""
    import json

    copy = tmp_path / "w.json"
    copy.write_bytes(WORLD.read_bytes())
    kept = tmp_path / "kept"
    expected = maps.project_countries(json.loads(WORLD.read_text(encoding="utf-8")))
    with maps.countries_kept_in(kept):
        assert maps.countries_of(copy) == expected
    (saved,) = kept.glob("countries-*.pickle")
    good = saved.read_bytes()

    def not_again(*args: object) -> None:
        raise AssertionError("projected again")

    maps._countries.cache_clear()  # as a new process
    with monkeypatch.context() as patch, maps.countries_kept_in(kept):
        patch.setattr(maps, "project_countries", not_again)
        assert maps.countries_of(copy) == expected  # read back
    maps._countries.cache_clear()
    saved.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))  # one bit off
    with maps.countries_kept_in(kept):
        assert maps.countries_of(copy) == expected
    assert saved.read_bytes() == good
    maps._countries.cache_clear()
    assert maps.countries_of(copy) == expected  # outside the block: computed, nothing kept
    assert list(kept.glob("*")) == [saved]


def test_a_cached_build_keeps_the_projection_where_the_next_build_finds_it(make_site):
    """A country page draws a locator map: the projection is kept in the environment's cache folder,
    and the next process (a retitle in a new `briefings build`) reads it instead of projecting again."""
    from generator.build.once import build_project
    from generator.build.options import BuildOptions
    from tests.conftest import briefing_md

    project = make_site(
        {
            "content/briefings/a.md": briefing_md(
                "Talks", "2026-11-20T09:00:00+00:00", "Body.", slug="a", countries=["Russia"]
            )
        }
    )
    build_project(project.root, BuildOptions(run_import=False, jobs=1))
    (kept,) = (project.root / ".cache/templates").glob("*/countries-*.pickle")
    assert 'class="locator' in project.read("countries/russia/index.html")
    maps._countries.cache_clear()
    maps._load.cache_clear()
    (project.root / "content/briefings/a.md").write_text(
        briefing_md(
            "Talks end", "2026-11-20T09:00:00+00:00", "Body.", slug="a", countries=["Russia"]
        ),
        encoding="utf-8",
    )
    stamp = kept.stat().st_mtime_ns
    build_project(project.root, BuildOptions(run_import=False, jobs=1))
    assert "Talks end" in project.read("countries/russia/index.html")
    assert kept.stat().st_mtime_ns == stamp  # read, not written again
