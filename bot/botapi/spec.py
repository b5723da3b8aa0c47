"""The Telegram Bot API spec as data, and a checker for what a bot sends.

The bundled `bot-api-10.1.min.json` is derived by `tools/bundle_spec.py` from the MIT-licensed
telegram-bot-api-spec project's `api.json`: methods with their parameters, and the types a bot
can put into a request.  `check_params` compares one call's decoded parameters against it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

BUNDLE = "bot-api-10.1.min.json"
_ARRAY = "Array of "
_PRIMITIVES = frozenset({"String", "Integer", "Float", "Boolean", "True"})


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: tuple[Field, ...]
    returns: tuple[str, ...]

    @cached_property
    def by_name(self) -> Mapping[str, Field]:
        return MappingProxyType({f.name: f for f in self.fields})


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: tuple[Field, ...]
    subtypes: tuple[str, ...] = ()
    # (field, value) that tells this subtype apart from its siblings, e.g. ("type", "chat").
    tag: tuple[str, str] | None = None

    @cached_property
    def by_name(self) -> Mapping[str, Field]:
        return MappingProxyType({f.name: f for f in self.fields})


@dataclass(frozen=True)
class Spec:
    version: str
    methods: Mapping[str, MethodSpec]
    types: Mapping[str, TypeSpec]
    update_types: tuple[str, ...]

    @cached_property
    def _by_lower(self) -> Mapping[str, MethodSpec]:
        return MappingProxyType({name.lower(): m for name, m in self.methods.items()})

    def method(self, name: str) -> MethodSpec | None:
        """The method called `name`; Telegram matches method names case-insensitively."""
        return self._by_lower.get(name.lower())

    @classmethod
    def from_bundle(cls, data: Mapping[str, Any]) -> Spec:
        def fields(raw: list[dict[str, Any]]) -> tuple[Field, ...]:
            return tuple(Field(f["name"], tuple(f["types"]), bool(f["required"])) for f in raw)

        methods = {
            name: MethodSpec(name, fields(m["fields"]), tuple(m.get("returns", ())))
            for name, m in data["methods"].items()
        }
        types = {
            name: TypeSpec(
                name,
                fields(t.get("fields", [])),
                tuple(t.get("subtypes", ())),
                tuple(t["tag"]) if t.get("tag") else None,  # type: ignore[arg-type]
            )
            for name, t in data["types"].items()
        }
        return cls(
            version=data["version"],
            methods=MappingProxyType(methods),
            types=MappingProxyType(types),
            update_types=tuple(data.get("update_types", ())),
        )


@lru_cache(maxsize=1)
def _bundled() -> Spec:
    text = resources.files("bot.botapi").joinpath(BUNDLE).read_text(encoding="utf-8")
    return Spec.from_bundle(json.loads(text))


def load_spec(path: str | Path | None = None) -> Spec:
    """The bundled spec, or one read from `path` (a bundle or a full api.json)."""
    if path is None:
        return _bundled()
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Spec.from_bundle(data)


# --- decoding form values -------------------------------------------------------------------

_INT = re.compile(r"[+-]?\d+")


def decode_value(value: Any, types: tuple[str, ...]) -> Any:
    """A form-encoded value as the JSON value it stands for, guided by the declared types.

    Form and multipart requests carry every value as a string; objects and arrays are
    JSON-serialized.  A value declared only as String stays a string ("123" is text).
    """
    if not isinstance(value, str):
        return value
    if types == ("String",):
        return value
    if "Integer" in types and _INT.fullmatch(value.strip()):
        return int(value)
    if "Float" in types:
        try:
            return float(value)
        except ValueError:
            pass
    if ("Boolean" in types or "True" in types) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if "String" in types or "InputFile" in types:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


# --- checking values against types -----------------------------------------------------------


def _type_name_of(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _fits_primitive(value: Any, name: str) -> bool:
    if name == "String":
        return isinstance(value, str)
    if name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "Boolean":
        return isinstance(value, bool)
    if name == "True":
        return value is True
    return False


class _Checker:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def value(self, value: Any, types: tuple[str, ...], path: str) -> list[str]:
        """Problems of `value` against the first declared type it fits best."""
        if not types:
            return []
        ranked: list[tuple[int, int, list[str]]] = []
        for t in types:
            problems = self._one(value, t, path)
            if not problems:
                return []
            ranked.append((-self._overlap(value, t), len(problems), problems))
        # Report against the type the value was most likely meant to be: the one whose
        # fields it shares most, so a bad inline keyboard is not blamed for lacking `keyboard`.
        return min(ranked, key=lambda r: (r[0], r[1]))[2]

    def _overlap(self, value: Any, type_name: str) -> int:
        type_spec = self.spec.types.get(type_name)
        if not isinstance(value, dict) or type_spec is None:
            return 0
        names = set(type_spec.by_name)
        for sub in type_spec.subtypes:
            if sub in self.spec.types:
                names |= set(self.spec.types[sub].by_name)
        return len(names & set(value))

    def _one(self, value: Any, type_name: str, path: str) -> list[str]:
        if type_name.startswith(_ARRAY):
            if not isinstance(value, list):
                return [f"{path} must be an array, got {_type_name_of(value)}"]
            inner = type_name[len(_ARRAY):]
            out: list[str] = []
            for i, item in enumerate(value):
                out.extend(self.value(item, (inner,), f"{path}[{i}]"))
            return out
        if type_name in _PRIMITIVES:
            if _fits_primitive(value, type_name):
                return []
            return [f"{path} must be {type_name}, got {_type_name_of(value)}"]
        if type_name == "InputFile":
            return []  # an upload or an attach:// / file_id / URL string
        type_spec = self.spec.types.get(type_name)
        if type_spec is None:
            return []
        return self._object(value, type_spec, path)

    def _object(self, value: Any, type_spec: TypeSpec, path: str) -> list[str]:
        if not isinstance(value, dict):
            return [f"{path} must be a {type_spec.name} object, got {_type_name_of(value)}"]
        if type_spec.subtypes:
            return self._union(value, type_spec, path)
        out: list[str] = []
        for key in value:
            if key not in type_spec.by_name:
                out.append(f"{path}.{key} is not a field of {type_spec.name}")
        for f in type_spec.fields:
            if f.name in value:
                out.extend(self.value(value[f.name], f.types, f"{path}.{f.name}"))
            elif f.required:
                out.append(f"{path}.{f.name} is required in {type_spec.name}")
        if type_spec.tag and value.get(type_spec.tag[0]) != type_spec.tag[1]:
            field_name, expected = type_spec.tag
            out.append(f"{path}.{field_name} must be {expected!r} in {type_spec.name}")
        return out

    def _union(self, value: dict[str, Any], type_spec: TypeSpec, path: str) -> list[str]:
        subtypes = [self.spec.types[s] for s in type_spec.subtypes if s in self.spec.types]
        for sub in subtypes:
            if sub.tag and value.get(sub.tag[0]) == sub.tag[1]:
                return self._object(value, sub, path)
        tagged = [s.tag for s in subtypes if s.tag]
        if tagged:
            allowed = ", ".join(sorted({t[1] for t in tagged}))
            return [f"{path}.{tagged[0][0]} must be one of {allowed} for {type_spec.name}"]
        return self.value(value, tuple(s.name for s in subtypes), path)


def check_params(spec: Spec, method: MethodSpec, params: Mapping[str, Any]) -> list[str]:
    """Unknown and missing parameters and ill-typed values of one call, as messages."""
    out: list[str] = []
    checker = _Checker(spec)
    for key in params:
        if key not in method.by_name:
            out.append(f"unknown parameter {key!r}")
    for f in method.fields:
        if f.name in params:
            out.extend(checker.value(params[f.name], f.types, f.name))
        elif f.required:
            out.append(f"missing required parameter {f.name!r}")
    return out


def check_value(spec: Spec, value: Any, types: tuple[str, ...], path: str) -> list[str]:
    """Problems of one value against declared types (e.g. ("InlineKeyboardMarkup",))."""
    return _Checker(spec).value(value, types, path)
