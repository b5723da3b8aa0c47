"""The bundled Bot API spec, the call checker and Telegram's HTML parse mode."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from bot.botapi import load_spec
from bot.botapi.formatting import ParseError, parse_html, utf16_len
from bot.botapi.rules import check_call
from bot.botapi.spec import check_params, check_value, decode_value

ROOT = Path(__file__).resolve().parents[1]
FULL_SPEC = ROOT.parent / "shared" / "telegram" / "bot-api-10.1.json"
BUNDLE = ROOT / "bot" / "botapi" / "bot-api-10.1.min.json"


def _bundle_tool() -> ModuleType:
    path = ROOT / "tools" / "bundle_spec.py"
    location = importlib.util.spec_from_file_location("bundle_spec", path)
    assert location is not None and location.loader is not None
    module = importlib.util.module_from_spec(location)
    location.loader.exec_module(module)
    return module


@pytest.mark.skipif(not FULL_SPEC.exists(), reason="../shared/telegram is not checked out")
def test_bundle_is_what_the_tool_derives_from_the_shared_spec() -> None:
    tool = _bundle_tool()
    derived = tool.render(tool.derive(json.loads(FULL_SPEC.read_text(encoding="utf-8"))))
    assert BUNDLE.read_text(encoding="utf-8") == derived, "run tools/bundle_spec.py"


def test_bundle_names_its_version_and_source() -> None:
    data = json.loads(BUNDLE.read_text(encoding="utf-8"))
    assert data["version"] == "Bot API 10.1"
    assert "MIT" in data["note"] and "telegram-bot-api-spec" in data["note"]


def test_methods_are_found_case_insensitively() -> None:
    spec = load_spec()
    method = spec.method("SENDMESSAGE")
    assert method is not None and method.name == "sendMessage"
    assert method.by_name["text"].required
    assert spec.method("sendTelepathy") is None


def test_unknown_and_missing_parameters_are_reported() -> None:
    spec = load_spec()
    method = spec.method("sendMessage")
    assert method is not None
    problems = check_params(spec, method, {"chat_id": 1, "txt": "hello"})
    assert "unknown parameter 'txt'" in problems
    assert "missing required parameter 'text'" in problems


def test_an_inline_keyboard_is_checked_field_by_field() -> None:
    spec = load_spec()
    markup = {"inline_keyboard": [[{"text": "Back", "callbak_data": "x"}]]}
    problems = check_value(spec, markup, ("InlineKeyboardMarkup", "ReplyKeyboardMarkup"), "rm")
    assert problems == [
        "rm.inline_keyboard[0][0].callbak_data is not a field of InlineKeyboardButton"
    ]


def test_a_command_scope_is_checked_against_its_tagged_subtype() -> None:
    spec = load_spec()
    assert check_value(spec, {"type": "chat", "chat_id": 5}, ("BotCommandScope",), "scope") == []
    assert check_value(spec, {"type": "chat"}, ("BotCommandScope",), "scope") == [
        "scope.chat_id is required in BotCommandScopeChat"
    ]
    assert check_value(spec, {"type": "everyone"}, ("BotCommandScope",), "scope")


def test_form_values_are_decoded_by_their_declared_type() -> None:
    assert decode_value("123", ("String",)) == "123"
    assert decode_value("-100", ("Integer", "String")) == -100
    assert decode_value("@channel", ("Integer", "String")) == "@channel"
    assert decode_value("true", ("Boolean",)) is True
    assert decode_value("[1, 2]", ("Array of Integer",)) == [1, 2]
    assert decode_value('{"inline_keyboard": []}', ("InlineKeyboardMarkup",)) == {
        "inline_keyboard": []
    }


def test_callback_data_over_64_bytes_and_buttons_without_one_action_are_refused() -> None:
    markup = {
        "inline_keyboard": [
            [{"text": "ok", "callback_data": "é" * 33}],
            [{"text": "two", "callback_data": "a", "url": "https://example.org"}],
            [{"text": " ", "callback_data": "b"}],
        ]
    }
    problems = check_call("sendMessage", {"chat_id": 1, "text": "hi", "reply_markup": markup}, ())
    assert any("callback_data is 66 bytes" in p for p in problems)
    assert any("[1][0]: needs exactly one action field" in p for p in problems)
    assert any("[2][0]: button text is empty" in p for p in problems)


def test_text_length_counts_what_the_person_sees_under_html() -> None:
    long_but_fine = "<b>" + "x" * 4096 + "</b>"
    assert check_call("sendMessage", {"text": long_but_fine, "parse_mode": "HTML"}, ()) == []
    too_long = check_call("sendMessage", {"text": "x" * 4097}, ())
    assert too_long == ["message is too long: 4097 characters, the limit is 4096"]
    assert check_call("sendMessage", {"text": "<i> </i>", "parse_mode": "HTML"}, ()) == [
        "message text is empty"
    ]
    assert check_call("sendPhoto", {"caption": "c" * 1025}, ())


def test_bot_commands_follow_telegrams_format() -> None:
    params = {"commands": [{"command": "Start", "description": "go"}]}
    assert check_call("setMyCommands", params, ()) == ["commands[0]: BOT_COMMAND_INVALID: 'Start'"]


def test_html_is_parsed_into_visible_text_and_entities() -> None:
    parsed = parse_html('<b>Rights</b> &amp; <a href="https://x.org">help</a> 🙂 <i>now</i>')
    assert parsed.text == "Rights & help 🙂 now"
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == [
        ("bold", 0, 6),
        ("text_link", 9, 4),
        ("italic", 17, 3),  # the emoji counts as two UTF-16 units
    ]
    assert utf16_len("🙂") == 2


@pytest.mark.parametrize(
    "bad",
    ["a < b", "<b>open", "<b><i>crossed</b></i>", "<script>x</script>", "<span>x</span>"],
)
def test_html_telegram_cannot_parse_is_an_error(bad: str) -> None:
    with pytest.raises(ParseError):
        parse_html(bad)
