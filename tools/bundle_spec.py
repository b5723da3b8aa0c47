"""Derive the compact Bot API spec that ships inside the bot package.

The local Bot API test server (`bot/botapi`) checks every call against the Telegram Bot API
spec.  The full spec (`../shared/telegram/bot-api-10.1.json`, from the MIT-licensed
telegram-bot-api-spec project's `api.json`) is not part of a fresh clone, so this tool keeps
only what the checker needs: every method with its parameters (name, types, required), the
types a bot can send (the closure of the method parameter types), and the update kinds.

    python tools/bundle_spec.py              # rewrite bot/botapi/bot-api-10.1.min.json
    python tools/bundle_spec.py --check      # exit 1 when the bundle is out of date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "telegram" / "bot-api-10.1.json"
DEFAULT_OUTPUT = ROOT / "bot" / "botapi" / "bot-api-10.1.min.json"

NOTE = (
    "Derived by tools/bundle_spec.py from bot-api-10.1.json, the api.json of the MIT-licensed "
    "telegram-bot-api-spec project (https://github.com/PaulSonOfLars/telegram-bot-api-spec). "
    "Descriptions are removed; methods keep their parameters, types keep their fields."
)

_ARRAY = re.compile(r"^(Array of )+")
# A subtype names its discriminator in the description of its tag field:
# 'Scope type, must be chat' or 'Type of the reaction, always "emoji"'.
_TAG = re.compile(r'(?:always|must be) "?([A-Za-z0-9_]+)"?')
_TAG_FIELDS = ("type", "source", "status")


def _fields(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": f["name"], "types": list(f["types"]), "required": bool(f["required"])}
        for f in entry.get("fields", [])
    ]


def _referenced(types: list[str], known: dict[str, Any]) -> list[str]:
    names = (_ARRAY.sub("", t) for t in types)
    return [n for n in names if n in known]


def _tag(entry: dict[str, Any]) -> list[str] | None:
    if not entry.get("subtype_of"):
        return None
    for f in entry.get("fields", []):
        if f["name"] in _TAG_FIELDS:
            found = _TAG.search(f.get("description", ""))
            if found:
                return [f["name"], found.group(1)]
    return None


def derive(raw: dict[str, Any]) -> dict[str, Any]:
    """The compact bundle for a full api.json document."""
    all_types: dict[str, Any] = raw["types"]
    methods = {
        name: {"fields": _fields(entry), "returns": list(entry.get("returns", []))}
        for name, entry in raw["methods"].items()
    }
    # Only types a bot can put into a request are checked, so keep their closure.
    wanted: set[str] = set()
    stack = [n for m in raw["methods"].values() for f in m.get("fields", [])
             for n in _referenced(f["types"], all_types)]
    while stack:
        name = stack.pop()
        if name in wanted:
            continue
        wanted.add(name)
        entry = all_types[name]
        for f in entry.get("fields", []):
            stack.extend(_referenced(f["types"], all_types))
        stack.extend(entry.get("subtypes", []))
    types: dict[str, Any] = {}
    for name, entry in all_types.items():
        if name not in wanted:
            continue
        compact: dict[str, Any] = {"fields": _fields(entry)}
        if entry.get("subtypes"):
            compact["subtypes"] = list(entry["subtypes"])
        tag = _tag(entry)
        if tag:
            compact["tag"] = tag
        types[name] = compact
    update_types = [f["name"] for f in all_types["Update"]["fields"] if f["name"] != "update_id"]
    return {
        "version": raw["version"],
        "release_date": raw.get("release_date", ""),
        "note": NOTE,
        "update_types": update_types,
        "methods": methods,
        "types": types,
    }


def render(bundle: dict[str, Any]) -> str:
    """JSON with one method or type per line, so a spec update reads well in a diff."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def block(mapping: dict[str, Any]) -> str:
        return ",\n".join(f"  {dump(k)}:{dump(v)}" for k, v in mapping.items())

    head = ",\n".join(
        f" {dump(k)}:{dump(bundle[k])}" for k in ("version", "release_date", "note", "update_types")
    )
    return (
        "{\n" + head + ",\n"
        ' "methods":{\n' + block(bundle["methods"]) + "\n },\n"
        ' "types":{\n' + block(bundle["types"]) + "\n }\n}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="only compare, do not write")
    args = parser.parse_args(argv)
    text = render(derive(json.loads(args.source.read_text(encoding="utf-8"))))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run tools/bundle_spec.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
