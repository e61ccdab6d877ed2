"""Command line: the composition root that wires config, build, import, serve and check together."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from generator import arguments
from generator.build.cache import cache_dir
from generator.build.lock import project_lock
from generator.build.once import build_project
from generator.build.options import BuildOptions
from generator.build.progress import Progress
from generator.core.config import Config, load_config
from generator.core.errors import SiteError
from generator.core.parallel import default_jobs
from generator.core.urls import slug_from
from generator.read.published import RECORD_FILE

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _project(args: argparse.Namespace) -> Path:
    return Path(args.project).resolve()


def _config_or_report(root: Path, base_url: str | None = None) -> Config | None:
    """The project's Config, or None after printing its problems (the caller exits 1)."""
    try:
        return load_config(root, base_url=base_url)
    except SiteError as error:
        _print_problems(error)
        return None


def _print_problems(error: SiteError) -> None:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    print(
        f"error: {count} problem{'s' if count != 1 else ''}; nothing was written", file=sys.stderr
    )


def _as_of(root: Path, moment: datetime | None) -> datetime | None:
    """--as-of in the site's timezone when it was written without an offset."""
    if moment is None or moment.tzinfo is not None:
        return moment
    config = load_config(root)
    return moment.replace(tzinfo=config.tz)


def cmd_translations(args: argparse.Namespace) -> int:
    """List translations and their state; mark some current."""
    from generator.dev import translations

    return translations.command(args)


def cmd_build(args: argparse.Namespace) -> int:
    """Build the site into output/."""
    try:
        as_of = _as_of(_project(args), args.as_of)
    except SiteError as error:
        _print_problems(error)
        return EXIT_CONTENT
    options = BuildOptions(
        drafts=args.drafts,
        future=args.future,
        base_url=args.base_url,
        output=Path(args.output).expanduser().resolve() if args.output else None,
        run_import=not args.no_import,
        cache=not args.no_cache,
        jobs=args.jobs,
        progress=Progress(),
        as_of=as_of,
        verify=args.verify,
    )
    try:
        report = build_project(_project(args), options)
    except SiteError as error:
        _print_problems(error)
        return EXIT_CONTENT
    for line in report.imported:
        print(line)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary())
    print(
        f"view it: briefings serve   (or any static server at {report.base_path} over {report.output})"
    )
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Import seed texts into content/briefings/, never overwriting an editor's work."""
    from generator.read.content import parse_datetime
    from generator.read.entities import load_registry
    from generator.read.importer import import_seeds
    from generator.read.seed_index import seed_files

    root = _project(args)
    try:
        config = load_config(root)
        registry = load_registry(config.content_dir / "_data" / "entities.yaml")
        date = parse_datetime(args.date, config.tz) if args.date else None
    except SiteError as error:
        _print_problems(error)
        return EXIT_CONTENT
    except ValueError:
        print(
            f"error: --date {args.date!r} is not a date; write it as 2026-11-22 or 2026-11-22T09:00:00+01:00",
            file=sys.stderr,
        )
        return EXIT_USAGE
    seeds = [Path(s).resolve() for s in args.seeds] if args.seeds else seed_files(config.seeds_dir)
    missing = [s for s in seeds if not s.is_file()]
    if missing:
        for seed in missing:
            print(f"{seed}: no such seed file", file=sys.stderr)
        return EXIT_USAGE
    # A briefing knows its seed by the seed's name in seeds/: a file from elsewhere with the same name would
    # "update" another seed's briefing (and the next import would flip it back).
    seeds_dir = config.seeds_dir.resolve()
    outside = [s for s in seeds if s.parent != seeds_dir]
    if outside:
        for seed in outside:
            print(
                f"{seed}: not in {seeds_dir}; copy it into seeds/ and import it from there "
                "(a briefing knows its seed by its name in seeds/)",
                file=sys.stderr,
            )
        return EXIT_USAGE
    try:
        with project_lock(root, "briefings import"):
            results = import_seeds(
                seeds,
                config.content_dir / "briefings",
                tz=config.tz,
                registry=registry,
                date=date,
                dry_run=args.dry_run,
                force=args.force,
                jobs=default_jobs(),
                languages=[lang.code for lang in config.languages],
                lang=args.lang or "",
            )
    except SiteError as error:
        _print_problems(error)
        return EXIT_CONTENT
    for result in results:
        print(result.line())
    # a conflict (an edited briefing left alone) is not a success a script may ignore
    failed = any(r.status in ("error", "conflict") for r in results)
    return EXIT_CONTENT if failed else EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    """Create a draft briefing with its front matter filled in."""
    import yaml

    from generator.dev.scaffold import NEW_BRIEFING

    root = _project(args)
    config = _config_or_report(root)
    if config is None:
        return EXIT_CONTENT
    slug = slug_from(args.headline)
    folder = config.content_dir / "briefings"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.md"
    number = 2
    while path.exists():
        path = folder / f"{slug}-{number}.md"
        number += 1
    title = (
        yaml.safe_dump(args.headline, allow_unicode=True, width=10_000)
        .strip()
        .removesuffix("...")
        .strip()
    )
    now = datetime.now(config.tz).replace(microsecond=0)
    terms = "".join(f"{name}: []\n" for name in config.taxonomies)
    text = NEW_BRIEFING.format(title=title, date=now.isoformat(), terms=terms)
    if path.stem != slug:
        text = text.replace("draft: true", f"slug: {path.stem}\ndraft: true")
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
    print(path)
    return EXIT_OK


def cmd_clean(args: argparse.Namespace) -> int:
    """Delete the output folder and the build cache."""
    import shutil

    from generator.build.manifest import beside
    from generator.build.spool import spool_path
    from generator.build.write import check_output_dir

    root = _project(args)
    output = Path(args.output).expanduser().resolve() if args.output else root / "output"
    try:
        check_output_dir(output)
    except SiteError as error:
        _print_problems(error)
        return EXIT_CONTENT
    try:
        with project_lock(root, "briefings clean"):
            if output.exists():
                shutil.rmtree(output)
                print(f"removed {output}")
            for ours in beside(output):
                ours.unlink(missing_ok=True)
            shutil.rmtree(spool_path(output), ignore_errors=True)
            cache = cache_dir(root)
            if cache.exists():
                shutil.rmtree(cache)
                print(f"removed {cache}")
    except SiteError as error:
        _print_problems(error)
        return EXIT_CONTENT
    output.mkdir(exist_ok=True)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Audit the built site: links, anchors, assets, head elements, sitemap, feeds, valid HTML."""
    from generator.dev.audit import audit_content
    from generator.dev.check import check_site
    from generator.dev.validate import find_vnu

    root = _project(args)
    config = _config_or_report(root, base_url=args.base_url)
    if config is None:
        return EXIT_CONTENT
    output = Path(args.output).expanduser().resolve() if args.output else root / "output"
    vnu = None if args.no_html_validation else find_vnu(root)
    report = check_site(
        output, config.base_url, html_validation=not args.no_html_validation, vnu=vnu
    )
    editorial = audit_content(config)
    from generator.dev import translations

    translations.list_stale(root, config)  # listed, not failing the check
    for problem in [*editorial, *report.problems]:
        print(problem)
    if editorial:
        print(
            f"content: {len(editorial)} editorial problem{'s' if len(editorial) != 1 else ''} "
            "(citations, sources, image alt texts)",
            file=sys.stderr,
        )
    failed = bool(report.problems or editorial)
    print(report.summary(), file=sys.stderr if failed else sys.stdout)
    return EXIT_CONTENT if failed else EXIT_OK


def cmd_next_due(args: argparse.Namespace) -> int:
    """Print when the site next changes by itself: a briefing's date or `publish:` comes, or it expires."""
    from generator.build.builder import Builder

    root = _project(args)
    try:
        as_of = _as_of(root, args.as_of)
        builder = Builder(root, BuildOptions(drafts=args.drafts, run_import=False, as_of=as_of))
        due = builder.upcoming()
    except SiteError as error:
        _print_problems(error)
        return EXIT_CONTENT
    if due is None:
        print(
            "nothing is due: no briefing waits for a date, `publish:` or `expires:`",
            file=sys.stderr,
        )
        return EXIT_OK
    when, briefing, what = due
    path = Path(briefing.path)
    print(
        f"{when.isoformat()}\t{what}\t{path.relative_to(root) if path.is_relative_to(root) else path}"
    )
    return EXIT_OK


def cmd_digest(args: argparse.Namespace) -> int:
    """Render a week's digest as an e-mail: to a .eml file, stdout, or SMTP (--send)."""
    from generator.dev import mail

    try:
        said = mail.run_digest(_project(args), args.week, args.recipient or [], args.to, args.send)
        if said:
            print(said)
    except SiteError as error:
        _print_problems(error)
        return EXIT_CONTENT
    except mail.MailError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.code
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    """Create a new site in a new or empty folder."""
    from generator.dev.scaffold import init_site

    folder = Path(args.folder).expanduser().resolve()
    try:
        init_site(folder, title=args.title)
    except SiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONTENT
    print(
        f"created a site in {folder}\nnext: cd {args.folder} && briefings build && briefings serve"
    )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Build, serve at base_url's path, rebuild on every save and reload open tabs."""
    from generator.core.themes import DEFAULT_THEME_DIR
    from generator.dev.serve import LiveServer, run
    from generator.dev.watch import Watcher

    root = _project(args)
    config = _config_or_report(root)
    if config is None:
        return EXIT_CONTENT
    # a preview: it follows the URL record but never adds to it (every title typed would leave a redirect)
    from generator.dev.rebuilds import ServeBuilds

    rebuild = ServeBuilds(root, BuildOptions(swap=False, drafts=args.drafts, record_urls=False))
    try:
        server = LiveServer(
            root / "output",
            rebuild,
            base_path=config.base_path,
            host=args.host,
            port=args.port,
            quick=rebuild.quick,
        )
    except OSError as error:
        print(
            f"error: cannot listen on {args.host}:{args.port}: {error.strerror}; choose another --port",
            file=sys.stderr,
        )
        return EXIT_USAGE
    server.rebuild(set())
    extra = [] if DEFAULT_THEME_DIR.is_relative_to(root) else [DEFAULT_THEME_DIR]
    watcher = Watcher(
        root,
        ("content", "seeds", "themes", "site.yaml", RECORD_FILE),
        server.rebuild,
        poll=args.poll,
        extra=extra,
    )
    run(server, watcher)
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = argparse.ArgumentParser(
        prog="briefings",
        description="A static site generator for geopolitical briefings: seeds/*.txt -> content/*.md -> output/.",
    )
    top.add_argument(
        "--project",
        "-C",
        default=".",
        help="project folder holding site.yaml (default: current folder)",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = commands.add_parser(
        "build",
        help="build the site into output/",
        description="Import new seeds, then build content/ into a static site in output/ "
        "(replaced atomically; left untouched on any error).",
    )
    b.add_argument("--drafts", action="store_true", help="include briefings marked draft: true")
    b.add_argument("--future", action="store_true", help="include briefings dated in the future")
    b.add_argument(
        "--base-url",
        metavar="URL",
        help="override site.yaml's base_url, e.g. https://example.org/briefings/",
    )
    b.add_argument("--output", "-o", metavar="DIR", help="output folder (default: output/)")
    b.add_argument(
        "--as-of",
        type=arguments.moment,
        metavar="TIME",
        help="build the site as it will be at TIME (e.g. 2026-12-24T09:00, site timezone unless "
        "an offset is given): embargoes lifted and expiries passed by then; use with --output",
    )
    b.add_argument("--no-import", action="store_true", help="do not import changed seeds first")
    b.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the build cache in .cache/ (a clean build)",
    )
    b.add_argument(
        "--verify",
        action="store_true",
        help="read and hash every content file instead of trusting an unchanged size and mtime "
        "(catches an edit that kept both; slower on large sites)",
    )
    b.add_argument(
        "--jobs",
        "-j",
        type=arguments.jobs,
        default=0,
        metavar="N",
        help="processes for parsing and rendering (default: one per core; 1 = serial)",
    )
    b.set_defaults(run=cmd_build)

    i = commands.add_parser(
        "import",
        help="turn seed texts into Markdown briefings",
        description="Import seeds/*.txt (or the given files) into content/briefings/. "
        "Unchanged seeds are skipped; a briefing an editor has changed is never overwritten "
        "(reported as a conflict) unless --force, which keeps a .bak copy.",
    )
    i.add_argument(
        "seeds", nargs="*", metavar="SEED", help="seed files (default: every file in seeds/)"
    )
    i.add_argument(
        "--date", help="date for seeds without a dateline (default: the file's modification time)"
    )
    i.add_argument("--lang", help="the seeds' language (default: detected among `languages:`)")
    i.add_argument("--dry-run", action="store_true", help="report what would happen, write nothing")
    i.add_argument(
        "--force",
        action="store_true",
        help="overwrite edited briefings (a backup is written first)",
    )
    i.set_defaults(run=cmd_import)

    n = commands.add_parser(
        "new",
        help="create a new draft briefing",
        description="Create content/briefings/<slug>.md with front matter filled in, and print its path.",
    )
    n.add_argument("headline", help="the briefing's headline")
    n.set_defaults(run=cmd_new)

    k = commands.add_parser(
        "check",
        help="audit the built site (links, HTML, feeds, sitemap)",
        description="Audit the built site as it will be served at base_url: internal links and "
        "#anchors resolve, assets exist, every page has a title, lang, description and canonical "
        "link, the sitemap lists every page and nothing else, feeds parse, and (with Java) every "
        "page is valid HTML per the Nu HTML Checker. Prints each problem as `file: problem`; "
        "exit 1 if there is any.",
    )
    k.add_argument(
        "--output", "-o", metavar="DIR", help="the built site to check (default: output/)"
    )
    k.add_argument(
        "--base-url", metavar="URL", help="the base_url the site was built with, if not site.yaml's"
    )
    k.add_argument(
        "--no-html-validation",
        action="store_true",
        help="skip the Nu HTML Checker (no Java needed)",
    )
    k.set_defaults(run=cmd_check)

    s = commands.add_parser(
        "serve",
        help="build, serve and rebuild on every save, reloading the browser",
        description="Build the site, serve it at base_url's path on http://HOST:PORT/, watch "
        "content/, seeds/, themes/ and site.yaml, rebuild what changed on every save and reload "
        "open browser tabs (CSS without a reload). Build errors are shown in the browser and the "
        "last good build stays served. Ctrl-C stops.",
    )
    s.add_argument(
        "--port",
        "-p",
        type=int,
        default=8000,
        help="port to listen on (default: 8000; 0 picks a free one)",
    )
    s.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: 127.0.0.1, this machine only)",
    )
    s.add_argument("--drafts", action="store_true", help="include briefings marked draft: true")
    s.add_argument(
        "--poll",
        action="store_true",
        help="poll for changes instead of file events (network drives, containers, WSL)",
    )
    s.set_defaults(run=cmd_serve)

    d = commands.add_parser(
        "next-due",
        help="print when the site next changes by itself (for cron or CI)",
        description="Print the next moment a briefing appears (its date or `publish:` comes) or is "
        "withdrawn (`expires:`), as `ISO-TIME<TAB>publishes|expires<TAB>file`; nothing on stdout "
        "if none is due. Schedule a build at that time.",
    )
    d.add_argument("--drafts", action="store_true", help="count briefings marked draft: true")
    d.add_argument(
        "--as-of", type=arguments.moment, metavar="TIME", help="look from TIME instead of now"
    )
    d.set_defaults(run=cmd_next_due)

    e = commands.add_parser(
        "digest",
        help="the weekly digest as an e-mail (.eml file, stdout or SMTP)",
        description="Render a week's digest as an e-mail (HTML with inline styles plus plain text, "
        "absolute links, a List-Unsubscribe header): to FILE.eml with --to, to stdout, or sent "
        "with --send through SMTP (site.yaml email.smtp, overridden by BRIEFINGS_SMTP_HOST, "
        "BRIEFINGS_SMTP_PORT, BRIEFINGS_SMTP_USER; password from BRIEFINGS_SMTP_PASSWORD only).",
    )
    e.add_argument("--week", required=True, type=arguments.week, help="ISO week, e.g. 2026-W48")
    e.add_argument("--to", metavar="FILE", help="write the message to FILE (.eml)")
    e.add_argument("--send", action="store_true", help="deliver it through SMTP")
    e.add_argument(
        "--recipient",
        action="append",
        metavar="ADDR",
        help="address to send to (repeatable; default: email.recipients of site.yaml)",
    )
    e.set_defaults(run=cmd_digest)

    t = commands.add_parser(
        "init",
        help="create a new site in a new or empty folder",
        description="Create FOLDER with site.yaml, content/ (an example briefing and an about page), "
        "seeds/ and themes/, ready for `briefings build`.",
    )
    t.add_argument("folder", metavar="FOLDER")
    t.add_argument("--title", default="Briefings", help="the site's name (default: Briefings)")
    t.set_defaults(run=cmd_init)

    c = commands.add_parser(
        "clean",
        help="delete output/ and the build cache",
        description="Delete the built site and the build cache (.cache/).",
    )
    c.add_argument("--output", "-o", metavar="DIR", help="output folder (default: output/)")
    c.set_defaults(run=cmd_clean)
    tr = commands.add_parser(
        "translations",
        help="list translations and their state; mark one current",
        description="Every translated briefing: current, stale (its source changed since) or unknown "
        "(no translated_from: recorded). --mark-current FILE records the source's current version "
        "in FILE's front matter once the translation is brought up to date.",
    )
    tr.add_argument("--mark-current", nargs="+", metavar="FILE", help="translations now up to date")
    tr.set_defaults(run=cmd_translations)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; exit 0 on success, 1 on content errors, 2 on usage errors."""
    args = parser().parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        # a file name that is not UTF-8 (a seed's, in an import line) is printed with \x escapes, not fatal
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
