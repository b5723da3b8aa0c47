"""`python -m bot resources …`: validate, stats and import-hsds for directory maintainers."""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from datetime import date
from pathlib import Path

from bot.directory import hsds, stats
from bot.directory.store import WATCH_SECONDS, force_path
from bot.directory.validate import Severity, check_path


def default_path() -> Path:
    return Path(os.environ.get("RESOURCES_CSV") or "resources.csv")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot resources", description="Check and maintain resources.csv."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="list every problem in the file")
    check.add_argument(
        "path", nargs="?", type=Path, help="default: $RESOURCES_CSV or resources.csv"
    )
    check.add_argument("--quiet-warnings", action="store_true", help="print errors only")
    report = commands.add_parser("stats", help="services per country and category, stale rows")
    report.add_argument("path", nargs="?", type=Path)
    report.add_argument("--limit", type=int, default=50, help="rows listed per section")
    reload = commands.add_parser(
        "reload",
        help="check the file the running bot will pick up; --force to accept a much smaller one",
    )
    reload.add_argument("path", nargs="?", type=Path)
    reload.add_argument(
        "--force",
        action="store_true",
        help="let the running bot take this file although it is empty or less than half the "
        "directory it serves",
    )
    picture = commands.add_parser(
        "map", help="a world map (PNG) of what the directory offers in each country"
    )
    picture.add_argument("path", nargs="?", type=Path)
    picture.add_argument("-o", "--output", type=Path, default=Path("coverage.png"))
    picture.add_argument("--width", type=int, default=1080, help="pixels (default 1080)")
    convert = commands.add_parser("import-hsds", help="convert an Open Referral HSDS datapackage")
    convert.add_argument("folder", type=Path, help="folder with datapackage.json and CSV files")
    convert.add_argument("-o", "--output", type=Path, required=True)
    convert.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="TERM=CATEGORY",
        help="map an HSDS taxonomy term (or a word in the service name/description) to a category",
    )
    convert.add_argument("--country", help="ISO 3166-1 alpha-2 code when the data has none")
    convert.add_argument("--default-category", default="general_support")
    convert.add_argument(
        "--national-without-location",
        action="store_true",
        help="list services without coordinates as national instead of skipping them",
    )
    convert.add_argument("--include-inactive", action="store_true")
    convert.add_argument(
        "--last-verified",
        type=date.fromisoformat,
        help="date for rows whose HSDS metadata has none (default: today)",
    )
    convert.add_argument("--id-prefix", default="hsds")
    return parser


def main(argv: list[str]) -> int:
    """Run one maintainer command; returns the process exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    if args.command == "validate":
        return _validate(args.path or default_path(), args.quiet_warnings)
    if args.command == "stats":
        return _stats(args.path or default_path(), args.limit)
    if args.command == "map":
        return _map(args.path or default_path(), args.output, args.width)
    if args.command == "reload":
        return _reload(args.path or default_path(), args.force)
    return _import_hsds(args)


def _map(path: Path, output: Path, width: int) -> int:
    from bot.directory.coverage import Level, coverage, draw

    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    if not 180 <= width <= 8000:
        print("map: --width must be between 180 and 8000 pixels", file=sys.stderr)
        return 1
    checked = check_path(path)
    cover = coverage(checked.services)
    draw(cover, output, width)
    counts = ", ".join(
        f"{cover.count(level)} with {label}"
        for level, label in (
            (Level.LOCAL_SERVICES, "local services"),
            (Level.NATIONAL_LINE, "a national line only"),
            (Level.EMERGENCY_ONLY, "an emergency number only"),
        )
    )
    print(f"{output}: {len(cover.levels)} countries in {path} ({counts})")
    return 0 if checked.ok else 1


def _reload(path: Path, force: bool) -> int:
    """Check the file; with --force, tell the running bot (through its data dir) to take it.

    The bot and this command share only BOT_DATA_DIR, so the consent is a file there naming
    the exact version (its SHA-256): a later edit needs a new --force.
    """
    code = _validate(path, quiet_warnings=True)
    if code:
        return code
    data_dir = Path(os.environ.get("BOT_DATA_DIR") or "data")
    if force:
        data_dir.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        force_path(data_dir).write_text(sha + "\n", encoding="ascii")
        print(f"{path}: the running bot (data in {data_dir}) takes this version at its next check")
    else:
        print(f"{path}: the running bot checks the file every {WATCH_SECONDS:g} seconds")
    return 0


def _validate(path: Path, quiet_warnings: bool) -> int:
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    checked = check_path(path)
    for problem in checked.problems:
        if problem.severity is Severity.WARNING:
            if not quiet_warnings:
                print(f"{path}:{problem.line}: warning: {problem.message}")
        else:
            print(f"{path}:{problem.line}: {problem.message}")
    errors, warnings = len(checked.errors), len(checked.warnings)
    verdict = "OK" if not errors else "FAILED"
    print(
        f"{path}: {verdict}: {checked.rows} rows, {errors} error(s), {warnings} warning(s)",
        file=sys.stderr if not errors else sys.stdout,
    )
    return 1 if errors else 0


def _stats(path: Path, limit: int) -> int:
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    checked = check_path(path)
    print(stats.render(stats.compute(checked.services), limit=limit))
    if not checked.ok:
        print(
            f"\n{len(checked.errors)} row(s) with errors are not counted; "
            f"run: python -m bot resources validate {path}"
        )
        return 1
    return 0


def _import_hsds(args: argparse.Namespace) -> int:
    try:
        options = hsds.Options(
            country=args.country,
            mapping=hsds.parse_mapping(args.map),
            default_category=args.default_category,
            national_without_location=args.national_without_location,
            include_inactive=args.include_inactive,
            last_verified=args.last_verified,
            id_prefix=args.id_prefix,
        )
        converted = hsds.convert(args.folder, options)
    except (hsds.HsdsError, OSError, ValueError) as exc:
        print(f"import-hsds: {exc}", file=sys.stderr)
        return 1
    hsds.write(converted.rows, args.output)
    for note in converted.notes:
        print(f"note: {note}", file=sys.stderr)
    checked = check_path(args.output)
    print(
        f"{args.output}: wrote {len(converted.rows)} services; "
        f"{len(checked.errors)} error(s), {len(checked.warnings)} warning(s)"
    )
    for problem in checked.errors:
        print(f"{args.output}:{problem.line}: {problem.message}")
    return 1 if checked.errors else 0
