import logging
import os
import stat

from telegram import Chat, Message, Update, User

from bot.privacy import ChatCodes, PrivacyFilter, load_or_create_key

SENTINEL = "SENTINEL-zebra-4417"


def _record(msg, *args, exc_info=None):
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, exc_info)


def _update():
    chat = Chat(id=987654321, type="private")
    user = User(id=987654321, first_name="Ana", is_bot=False)
    message = Message(message_id=5, date=None, chat=chat, from_user=user, text=SENTINEL)
    return Update(update_id=1, message=message)


def test_an_update_can_never_reach_a_log_line():
    record = _record("got %s", _update())
    PrivacyFilter().filter(record)
    line = record.getMessage()
    assert SENTINEL not in line and "987654321" not in line


def test_long_or_odd_strings_are_dropped_from_log_arguments():
    record = _record("text %s", SENTINEL * 10)
    PrivacyFilter().filter(record)
    assert SENTINEL not in record.getMessage()


def test_exception_messages_are_dropped_but_the_type_is_kept():
    try:
        raise ValueError(f"invalid literal {SENTINEL}")
    except ValueError:
        import sys

        record = _record("handler failed", exc_info=sys.exc_info())
    PrivacyFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "ValueError" in formatted
    assert SENTINEL not in formatted


def test_the_token_is_hidden_from_every_line():
    token = "123456:ABCdef"
    record = _record("POST https://api.telegram.org/bot123456:ABCdef/getMe")
    PrivacyFilter((token,)).filter(record)
    assert token not in record.getMessage()


def test_chat_codes_are_stable_one_way_and_keyed(tmp_path):
    key = load_or_create_key(tmp_path)
    codes = ChatCodes(key)
    # A real-sized chat id: a two-digit one would turn up in a random hex code by chance.
    chat_id = 987654321
    assert codes.code(chat_id) == codes.code(chat_id)
    assert str(chat_id) not in codes.code(chat_id)
    assert ChatCodes(b"another key of some length").code(chat_id) != codes.code(chat_id)


def test_the_generated_key_file_is_readable_by_the_owner_only(tmp_path):
    load_or_create_key(tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / "secret.key").st_mode)
    assert mode == 0o600
    assert load_or_create_key(tmp_path) == load_or_create_key(tmp_path)
