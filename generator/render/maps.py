"""World maps drawn at build time: a small TopoJSON decoder, the Equal Earth projection, SVG path strings.

The default theme ships Natural Earth's 1:110m countries as TopoJSON (npm package `world-atlas`,
public domain). `load_world(path)` turns it into a `WorldMap` of projected, simplified country shapes
whose `path` strings templates draw inline: a locator map for a country page, a coverage map for the
countries index. Pure functions except `load_world` and `countries_of`, which read the file once per change
in a process (and keep its projection in the build cache for the next process, when the builder says where).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from generator.core.atomic import write_atomic
from generator.read.countries import country_info

T = TypeVar("T")

Point = tuple[float, float]
Ring = list[Point]

# Equal Earth (Šavrič, Patterson, Jenny 2018): an equal-area projection that keeps continents recognisable.
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2

WIDTH = 1000.0  # map units across the whole world; coordinates are rounded to 0.1 of these
# Douglas-Peucker tolerance, applied to shared arcs so neighbours still meet
SIMPLIFY_DEGREES = 0.12
SOUTH_LIMIT = -58.0  # crop the world map below Tierra del Fuego (Antarctica is left out)
LEFT_OUT = {"010"}  # Antarctica: no briefings, a fifth of the map's height


def equal_earth(lon: float, lat: float) -> Point:
    """Project degrees to Equal Earth units (x in about ±2.706, y in about ±1.317, north positive)."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(_M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


_X_MAX = equal_earth(180, 0)[0]
_SCALE = WIDTH / (2 * _X_MAX)
_TOP = equal_earth(0, 90)[1]


def to_map(lon: float, lat: float) -> Point:
    """Degrees to SVG map units: x from 0 (180°W) to WIDTH (180°E), y downwards from the north pole."""
    x, y = equal_earth(lon, lat)
    return (x + _X_MAX) * _SCALE, (_TOP - y) * _SCALE


def decode_arcs(topology: dict) -> list[Ring]:
    """Every arc of a TopoJSON topology as absolute [lon, lat] points (delta-decoded and transformed if quantized)."""
    transform = topology.get("transform")
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def stitch(indices: Iterable[int], arcs: Sequence[Ring]) -> Ring:
    """One ring from arc indices; a negative index ~i means arc i reversed. Shared end points appear once."""
    ring: Ring = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


@dataclass(frozen=True)
class Feature:
    """A decoded geometry: polygons of rings of [lon, lat] points (first ring outer, the rest holes)."""

    id: str
    name: str
    polygons: tuple[tuple[Ring, ...], ...]


def decode_features(
    topology: dict, object_name: str, arcs: Sequence[Ring] | None = None
) -> list[Feature]:
    """The Polygon/MultiPolygon geometries of one object of the topology (other types are skipped)."""
    arcs = decode_arcs(topology) if arcs is None else arcs
    features = []
    for geometry in topology["objects"][object_name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry["arcs"]]
        elif kind == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = tuple(tuple(stitch(r, arcs) for r in polygon) for polygon in polygons)
        features.append(
            Feature(
                str(geometry.get("id", "")),
                str(geometry.get("properties", {}).get("name", "")),
                rings,
            )
        )
    return features


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker: drop points closer than `tolerance` to the line through their neighbours (ends kept)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        worst, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            d = (
                abs(dy * (px - ax) - dx * (py - ay)) / norm
                if norm
                else math.hypot(px - ax, py - ay)
            )
            if d > worst:
                worst, index = d, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=False) if k]


def _clip(ring: Ring, limit: float, keep_below: bool) -> Ring:
    """Sutherland-Hodgman against the vertical line lon = limit."""

    def inside(p: Point) -> bool:
        return p[0] <= limit if keep_below else p[0] >= limit

    out: Ring = []
    for i, current in enumerate(ring):
        previous = ring[i - 1]
        if inside(current) != inside(previous):
            t = (limit - previous[0]) / (current[0] - previous[0])
            out.append((limit, previous[1] + t * (current[1] - previous[1])))
        if inside(current):
            out.append(current)
    return out


def cut_antimeridian(ring: Ring) -> list[Ring]:
    """A ring whose longitudes jump across ±180° as pieces that each stay within [-180, 180].

    The ring is unwrapped into continuous longitudes, closed along a pole if it encircles one,
    then clipped into 360°-wide windows, each shifted back into range.
    """
    if not any(abs(b[0] - a[0]) > 180 for a, b in itertools.pairwise(ring)):
        return [ring]
    unwrapped: Ring = [ring[0]]
    offset = 0.0
    for a, b in itertools.pairwise(ring):
        if b[0] - a[0] > 180:
            offset -= 360
        elif a[0] - b[0] > 180:
            offset += 360
        unwrapped.append((b[0] + offset, b[1]))
    if offset:  # encircles a pole: close the ring along it
        pole = 90.0 if sum(p[1] for p in ring) > 0 else -90.0
        unwrapped += [(unwrapped[-1][0], pole), (unwrapped[0][0], pole)]
    low = min(p[0] for p in unwrapped)
    high = max(p[0] for p in unwrapped)
    pieces = []
    shift = math.floor((low + 180) / 360) * 360
    while shift - 180 < high:
        window = [(x - shift, y) for x, y in unwrapped]
        piece = _clip(_clip(window, 180.0, True), -180.0, False)
        if len(piece) >= 3:
            pieces.append(piece)
        shift += 360
    return pieces


def _fmt(value: float) -> str:
    """Shortest text for a number rounded to one decimal: 12, 1.5, .5, -.5."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        return "0"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def path_data(rings: Iterable[Sequence[Point]]) -> str:
    """SVG path data for rings in map units: one absolute move per ring, then relative lines on a 0.1 grid."""
    parts = []
    for ring in rings:
        grid = [(round(x * 10), round(y * 10)) for x, y in ring]
        compact = [grid[0]] + [p for prev, p in itertools.pairwise(grid) if p != prev]
        if len(compact) > 1 and compact[-1] == compact[0]:
            compact.pop()
        if len(compact) < 3:
            continue
        x0, y0 = compact[0]
        text = [f"M{_fmt(x0 / 10)} {_fmt(y0 / 10)}l"]
        numbers = []
        for (ax, ay), (bx, by) in itertools.pairwise(compact):
            numbers += [_fmt((bx - ax) / 10), _fmt((by - ay) / 10)]
        joined = numbers[0]
        for n in numbers[1:]:
            joined += n if n.startswith("-") else " " + n
        parts.append(text[0] + joined + "z")
    return "".join(parts)


@dataclass(frozen=True)
class Shape:
    """One country on the map: its ISO 3166 numeric id, Natural Earth name, SVG path, bounding boxes."""

    id: str
    name: str
    path: str
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1 of its main land (its larger polygons)
    area: float  # in square map units, for telling tiny countries apart


@dataclass(frozen=True)
class Locator:
    """What a locator map shows: the viewBox around a country, its neighbours, the country itself."""

    view_box: str
    target: Shape
    neighbours: tuple[Shape, ...]
    marker: tuple[float, float, float] | None  # cx, cy, r: a ring around countries too small to see


@dataclass(frozen=True)
class WorldMap:
    """Every country shape, projected and simplified, with the world's size in map units."""

    width: float
    height: float
    shapes: tuple[Shape, ...]
    _by_id: dict[str, Shape] = field(default_factory=dict, repr=False, compare=False)
    _by_name: dict[str, Shape] = field(default_factory=dict, repr=False, compare=False)

    @property
    def view_box(self) -> str:
        return f"0 0 {_fmt(self.width)} {_fmt(self.height)}"

    @property
    def outline(self) -> str:
        """Path of the projected globe's edge (the sea), from the southern crop line to the pole and back."""
        west = [to_map(-180, lat) for lat in range(int(SOUTH_LIMIT), 91, 2)]
        east = [to_map(180, lat) for lat in range(90, int(SOUTH_LIMIT) - 1, -2)]
        return path_data([west + east])

    def find(self, numeric: str | None = None, name: str | None = None) -> Shape | None:
        """A shape by ISO numeric id ('643'), else by Natural Earth name ('Russia'), else None."""
        if numeric and numeric.zfill(3) in self._by_id:
            return self._by_id[numeric.zfill(3)]
        if name:
            return self._by_name.get(name.casefold())
        return None

    def locator(self, shape: Shape, aspect: float = 1.5, min_width: float = 110.0) -> Locator:
        """A regional view around `shape`: its main land plus a margin, at a fixed aspect, with the neighbours in it."""
        x0, y0, x1, y1 = shape.bbox
        w = max((x1 - x0) * 1.6, min_width)
        h = max((y1 - y0) * 1.6, w / aspect)
        w = max(w, h * aspect)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        vx, vy = cx - w / 2, cy - h / 2
        box = (vx, vy, vx + w, vy + h)
        neighbours = tuple(
            s
            for s in self.shapes
            if s is not shape
            and s.bbox[0] < box[2]
            and s.bbox[2] > box[0]
            and s.bbox[1] < box[3]
            and s.bbox[3] > box[1]
        )
        marker = None
        if max(x1 - x0, y1 - y0) < w / 25:
            marker = (round(cx, 1), round(cy, 1), round(w / 18, 1))
        return Locator(" ".join(_fmt(v) for v in (vx, vy, w, h)), shape, neighbours, marker)


def ring_area(ring: Sequence[Point]) -> float:
    """The area a ring encloses (shoelace formula), in square map units."""
    return (
        abs(
            sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, [*ring[1:], ring[0]], strict=False))
        )
        / 2
    )


def main_box(
    outers: Sequence[Sequence[Point]], areas: Sequence[float]
) -> tuple[float, float, float, float]:
    """The box around a country's larger polygons (`outers`, of `areas`: a quarter of the largest's or
    more), so that far islands do not widen a view centred on it."""
    main = [r for r, a in zip(outers, areas, strict=True) if a >= 0.25 * max(areas)]
    xs = [p[0] for r in main for p in r]
    ys = [p[1] for r in main for p in r]
    return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class Country:
    """A country of the map data, decoded, simplified, cut at the antimeridian and projected: what the SVG
    maps (`WorldMap`) and the preview images (render/preview.py) are drawn from."""

    id: str
    name: str
    rings: tuple[tuple[Point, ...], ...]  # every ring piece, in map units
    outer: tuple[bool, ...]  # whether each ring is a polygon's outer ring (not a hole)


def project_countries(topology: dict, object_name: str = "countries") -> tuple[Country, ...]:
    """Every country of a TopoJSON topology (Antarctica left out), simplified per shared arc so neighbours
    still meet, cut at the antimeridian and projected."""
    arcs = [simplify(a, SIMPLIFY_DEGREES) for a in decode_arcs(topology)]
    countries = []
    for feature in decode_features(topology, object_name, arcs):
        if feature.id in LEFT_OUT:
            continue
        rings: list[tuple[Point, ...]] = []
        outer: list[bool] = []
        for polygon in feature.polygons:
            for index, ring in enumerate(polygon):
                for piece in cut_antimeridian(ring):
                    rings.append(tuple(to_map(lon, max(lat, SOUTH_LIMIT)) for lon, lat in piece))
                    outer.append(index == 0)
        countries.append(Country(feature.id, feature.name, tuple(rings), tuple(outer)))
    return tuple(countries)


def build_world(topology: dict, object_name: str = "countries") -> WorldMap:
    """Every country of a TopoJSON topology as an SVG shape (see `project_countries`)."""
    return _world_of(project_countries(topology, object_name))


def _world_of(countries: Iterable[Country]) -> WorldMap:
    shapes = []
    for country in countries:
        path = path_data(country.rings)
        outers = [r for r, o in zip(country.rings, country.outer, strict=True) if o]
        if not path or not outers:
            continue
        areas = [ring_area(r) for r in outers]
        shapes.append(Shape(country.id, country.name, path, main_box(outers, areas), sum(areas)))
    shapes.sort(key=lambda s: (s.id or "~", s.name))
    height = to_map(0, SOUTH_LIMIT)[1]
    world = WorldMap(WIDTH, round(height, 1), tuple(shapes))
    world._by_id.update({s.id: s for s in shapes if s.id})
    world._by_name.update({s.name.casefold(): s for s in shapes})
    return world


# Where projected countries are kept between processes (a folder of the build cache, set by the builder
# around rendering; None: computed in each process). Decoding and projecting the 1:110m map takes ~30 ms,
# paid by every build that renders a map or a preview image.
_kept_in: ContextVar[Path | None] = ContextVar("kept_in", default=None)


@contextlib.contextmanager
def countries_kept_in(folder: Path | None) -> Iterator[None]:
    """Within the block (and in processes forked in it), projected countries are kept in `folder`."""
    token = _kept_in.set(folder)
    try:
        yield
    finally:
        _kept_in.reset(token)


def countries_of(path: Path) -> tuple[Country, ...]:
    """The projected countries of a TopoJSON file, decoded once per file version in a process."""
    st = path.stat()
    return _countries(str(path), (st.st_mtime_ns, st.st_size), _kept_in.get())


@lru_cache(maxsize=4)
def _countries(path: str, stamp: tuple[int, int], folder: Path | None) -> tuple[Country, ...]:
    data = Path(path).read_bytes()
    return _kept(folder, "countries", data, lambda: project_countries(json.loads(data)))


def _kept(folder: Path | None, kind: str, data: bytes, make: Callable[[], T]) -> T:
    """make(), made from the map file's `data`, or what a process before kept in `folder` for the same
    bytes and code (the folder is the build's, by its settings)."""
    kept = folder / f"{kind}-{hashlib.sha256(data).hexdigest()[:32]}.pickle" if folder else None
    if kept is not None:
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError):
            saved = kept.read_bytes()
            check, payload = saved[:_CHECK], saved[_CHECK:]
            if hashlib.blake2b(payload, digest_size=_CHECK).digest() == check:
                return pickle.loads(payload)
    made = make()
    if kept is not None:
        payload = pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):
            kept.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(kept, hashlib.blake2b(payload, digest_size=_CHECK).digest() + payload)
    return made


_CHECK = 16  # bytes of the checksum a kept projection starts with: a damaged copy is made again


@lru_cache(maxsize=4)
def _load(path: str, stamp: tuple[int, int], folder: Path | None) -> WorldMap:
    # kept too: drawing the shapes' paths took ~15 ms more of each process that shows a map
    data = Path(path).read_bytes()
    return _kept(folder, "world", data, lambda: _world_of(_countries(path, stamp, folder)))


def load_world(path: Path) -> WorldMap:
    """The world map of a TopoJSON file, decoded once per file version in a process."""
    st = path.stat()
    return _load(str(path), (st.st_mtime_ns, st.st_size), _kept_in.get())


# Coverage shading: fixed bins read more easily in a legend than quantiles.
COVERAGE_BINS = ((1, 1, "1"), (2, 2, "2"), (3, 4, "3–4"), (5, 9, "5–9"), (10, 10**9, "10+"))


def coverage_level(count: int) -> int:
    """Shade 1..5 of a country with `count` briefings (0 for none)."""
    for level, (low, high, _) in enumerate(COVERAGE_BINS, start=1):
        if low <= count <= high:
            return level
    return 0


@dataclass(frozen=True)
class Covered:
    """A country on the coverage map: its shape, its term page, how many briefings and its shade."""

    shape: Shape
    name: str
    url: str
    count: int
    level: int


def coverage(
    world: WorldMap, terms: Iterable
) -> tuple[tuple[Covered, ...], tuple[Shape, ...], tuple[str, ...]]:
    """Countries with briefings (as shapes with links), the other shapes, and names not on the map."""
    covered: dict[str, Covered] = {}
    missing = []
    for term in terms:
        info = country_info(term.name)
        shape = world.find(info.numeric if info else None, term.name)
        if shape is None or shape.id in covered or shape.name in covered:
            if shape is None:
                missing.append(term.name)
            continue
        count = term.count
        covered[shape.id or shape.name] = Covered(
            shape, term.name, term.url, count, coverage_level(count)
        )
    others = tuple(s for s in world.shapes if (s.id or s.name) not in covered)
    return tuple(covered.values()), others, tuple(missing)


@dataclass(frozen=True)
class Assessed:
    """A country on the situation map: its shape, name and latest trend direction."""

    shape: Shape
    name: str
    direction: str  # improved | unchanged | deteriorated


def trend_map(
    world: WorldMap, rows: Iterable
) -> tuple[tuple[Assessed, ...], tuple[Shape, ...], tuple[str, ...]]:
    """Countries with a latest trend (rows with .country and .trend.direction), the other shapes, and
    assessed names not on the map."""
    assessed: dict[str, Assessed] = {}
    missing = []
    for row in rows:
        info = country_info(row.country)
        shape = world.find(info.numeric if info else None, row.country)
        if shape is None:
            missing.append(row.country)
        elif (shape.id or shape.name) not in assessed:
            assessed[shape.id or shape.name] = Assessed(shape, row.country, row.trend.direction)
    others = tuple(s for s in world.shapes if (s.id or s.name) not in assessed)
    return tuple(assessed.values()), others, tuple(missing)


@dataclass(frozen=True)
class Month:
    """One bar of the activity chart."""

    key: str  # '2026-11'
    label: str  # 'Nov 2026'
    count: int


def months(dates: Iterable) -> tuple[Month, ...]:
    """Briefings per calendar month from the first to the last, empty months included (so gaps show)."""
    counts: dict[tuple[int, int], int] = {}
    for d in dates:
        counts[(d.year, d.month)] = counts.get((d.year, d.month), 0) + 1
    if not counts:
        return ()
    (y, m), last = min(counts), max(counts)
    rows = []
    while (y, m) <= last:
        label = (
            (
                [
                    "Jan",
                    "Feb",
                    "Mar",
                    "Apr",
                    "May",
                    "Jun",
                    "Jul",
                    "Aug",
                    "Sep",
                    "Oct",
                    "Nov",
                    "Dec",
                ][m - 1]
            )
            + f" {y}"
        )
        rows.append(Month(f"{y:04d}-{m:02d}", label, counts.get((y, m), 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(rows)
