"""Shortcodes drawn when a page renders: the theme's `shortcodes/<name>.html` templates, given what the
built-in ones need computed here (a chart's scales, a table's cells, a map's region).

A body holds `<!--shortcode:N-->` where its N-th shortcode was (read/media.py). The templates and data files
a component reads are recorded by the page's trace, so the page is rendered again when one changes. Any
problem is a SiteError naming the content file and the shortcode's line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator.core.config import Config
from generator.core.errors import SiteError
from generator.core.model import Body, Shortcode
from generator.read.countries import country_info
from generator.render import maps
from generator.render.data import DataProblem, load_data

CHART_WIDTH, CHART_HEIGHT = 640.0, 300.0
PLOT = (64.0, 30.0, 12.0, 52.0)  # left, top, right, bottom margins inside the chart's viewBox


class ComponentProblem(Exception):
    """A shortcode that cannot be drawn as written; the message says what to change."""


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    text: str
    y: float


@dataclass(frozen=True)
class Chart:
    """What `shortcodes/chart.html` draws: bars (or a line through their tops), y ticks, every value."""

    kind: str
    x: str
    y: str
    unit: str
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    width: float
    height: float
    baseline: float  # y of zero
    left: float
    right: float
    label_every: int  # show every n-th x label when many

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"

    @property
    def line(self) -> str:
        return " ".join(f"{b.x + b.width / 2:.1f},{b.y:.1f}" for b in self.bars)


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    numeric: tuple[bool, ...]  # right-aligned columns
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Region:
    """A map of several countries: the viewBox, every shape in it, which are named, and labels."""

    view_box: str
    shapes: tuple[maps.Shape, ...]
    named: frozenset[str]  # ids of the named countries
    labels: tuple[tuple[str, float, float], ...]  # name, x, y
    font_size: float
    names: tuple[str, ...]


def number(value: Any) -> float | None:
    """A number from a data cell ('12,400', 12400, '3.5%'), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value or "").strip().replace(",", "").replace("%", "").replace("\u2009", "")
    try:
        return float(text)
    except ValueError:
        return None


def show(value: float) -> str:
    """12400.0 -> '12,400'; 3.25 -> '3.25'."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def rows_of(value: Any, name: str) -> list[Mapping[str, Any]]:
    """A data file as rows (a list of mappings; a YAML/JSON mapping with one list of them also works)."""
    if isinstance(value, Mapping):
        lists = [v for v in value.values() if isinstance(v, list)]
        value = lists[0] if len(lists) == 1 else value
    if not isinstance(value, list) or not all(isinstance(r, Mapping) for r in value) or not value:
        raise ComponentProblem(
            f"data file {name!r} must be a table: CSV with a header row, or a list of mappings"
        )
    return value


def chart(rows: Sequence[Mapping[str, Any]], args: Mapping[str, str]) -> Chart:
    """Scales and bars of a bar (or line) chart of column `y` against column `x`."""
    x, y, kind = args["x"], args["y"], args.get("type", "bar")
    if kind not in ("bar", "line"):
        raise ComponentProblem(f"chart type must be bar or line, not {kind!r}")
    for column in (x, y):
        if column not in rows[0]:
            raise ComponentProblem(
                f"no column {column!r} in {args['data']!r}; it has {', '.join(map(str, rows[0]))}"
            )
    values = []
    for i, row in enumerate(rows, start=2):
        v = number(row.get(y))
        if v is None:
            raise ComponentProblem(f"{args['data']!r} row {i}: {y} is {row.get(y)!r}, not a number")
        values.append(v)
    low, high = min(0.0, *values), max(0.0, *values)
    step = _nice((high - low) / 4 or 1)
    top = math.ceil(high / step) * step
    bottom = math.floor(low / step) * step
    left, top_margin, right, bottom_margin = PLOT
    plot_h = CHART_HEIGHT - top_margin - bottom_margin
    plot_w = CHART_WIDTH - left - right

    def at(v: float) -> float:
        return top_margin + (top - v) / ((top - bottom) or 1) * plot_h

    slot = plot_w / len(values)
    bar_w = slot * 0.7
    bars = tuple(
        Bar(
            label=str(row.get(x, "")),
            value=v,
            text=show(v),
            x=round(left + i * slot + (slot - bar_w) / 2, 1),
            y=round(min(at(v), at(0)), 1),
            width=round(bar_w, 1),
            height=round(abs(at(v) - at(0)), 1),
        )
        for i, (row, v) in enumerate(zip(rows, values, strict=True))
    )
    ticks = []
    v = bottom
    while v <= top + step / 2:
        ticks.append(Tick(show(v), round(at(v), 1)))
        v += step
    return Chart(
        kind=kind,
        x=x,
        y=y,
        unit=args.get("unit", ""),
        bars=bars,
        ticks=tuple(ticks),
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        baseline=round(at(0), 1),
        left=left,
        right=CHART_WIDTH - right,
        label_every=max(1, math.ceil(len(values) / 12)),
    )


def _nice(raw: float) -> float:
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def table(rows: Sequence[Mapping[str, Any]], args: Mapping[str, str]) -> Table:
    """The cells of a table of figures: the chosen `columns` (all by default), numbers formatted."""
    columns = (
        [c.strip() for c in args["columns"].split(",")] if args.get("columns") else list(rows[0])
    )
    for column in columns:
        if column not in rows[0]:
            raise ComponentProblem(
                f"no column {column!r} in {args['data']!r}; it has {', '.join(map(str, rows[0]))}"
            )
    numeric = tuple(all(number(r.get(c)) is not None for r in rows) for c in columns)
    cells = tuple(
        tuple(
            show(n) if is_number and (n := number(r.get(c))) is not None else str(r.get(c, ""))
            for c, is_number in zip(columns, numeric, strict=True)
        )
        for r in rows
    )
    return Table(tuple(map(str, columns)), numeric, cells)


def region(world: maps.WorldMap | None, countries: str) -> Region:
    """A locator map of the named countries ('Mali, Niger') among their neighbours."""
    names = tuple(n.strip() for n in countries.split(",") if n.strip())
    if world is None:
        raise ComponentProblem("the theme has no world map (data/countries-110m.json)")
    shapes = []
    for name in names:
        info = country_info(name)
        shape = world.find(info.numeric if info else None, name)
        if shape is None:
            raise ComponentProblem(
                f"country {name!r} is not on the 1:110m map; name a country such as Mali"
            )
        shapes.append(shape)
    box = (
        min(s.bbox[0] for s in shapes),
        min(s.bbox[1] for s in shapes),
        max(s.bbox[2] for s in shapes),
        max(s.bbox[3] for s in shapes),
    )
    view = world.locator(maps.Shape("", "", "", box, 0.0), aspect=1.6, min_width=90.0)
    width = float(view.view_box.split()[2])
    labels = tuple(
        (name, round((s.bbox[0] + s.bbox[2]) / 2, 1), round((s.bbox[1] + s.bbox[3]) / 2, 1))
        for name, s in zip(names, shapes, strict=True)
    )
    return Region(
        view_box=view.view_box,
        shapes=view.neighbours,
        named=frozenset(s.id for s in shapes),
        labels=labels,
        font_size=round(width / 32, 1),
        names=names,
    )


def expand_body(
    env: jinja2.Environment,
    config: Config,
    body: Body,
    path: Path | str,
    world: Callable[[], maps.WorldMap | None],
) -> Markup:
    """A body's HTML with each shortcode marker replaced by its component, drawn by the theme."""
    html = body.html
    for i, code in enumerate(body.shortcodes):
        html = html.replace(f"<!--shortcode:{i}-->", draw(env, config, code, i, path, world), 1)
    return Markup(html)


def draw(
    env: jinja2.Environment,
    config: Config,
    code: Shortcode,
    index: int,
    path: Path | str,
    world: Callable[[], maps.WorldMap | None],
) -> str:
    """One shortcode drawn by `shortcodes/<name>.html`; a problem names the content file and line."""
    args = code.arguments
    context: dict[str, Any] = {"args": args, "id": f"figure-{index + 1}"}
    try:
        if code.name == "chart":
            context["chart"] = chart(rows_of(load_data(config, args["data"]), args["data"]), args)
        elif code.name == "table":
            context["table"] = table(rows_of(load_data(config, args["data"]), args["data"]), args)
        elif code.name == "map":
            context["map"] = region(world(), args["countries"])
        template = env.get_template(f"shortcodes/{code.name}.html")
        return template.render(context)
    except (ComponentProblem, DataProblem) as exc:
        raise SiteError.at(path, code.line, f"shortcode '{code.name}': {exc}") from None
    except jinja2.TemplateNotFound:
        raise SiteError.at(
            path,
            code.line,
            f"unknown shortcode '{code.name}': the theme has no shortcodes/{code.name}.html",
        ) from None
