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


def test_integers_that_could_be_ids_never_reach_a_record() -> None:
    import logging

    from bot.privacy import PrivacyFilter

    record = logging.LogRecord(
        "waypoint", logging.INFO, "x", 1, "chat %d: %d services, port %d", (700000001, 89, 8080),
        None,
    )
    PrivacyFilter().filter(record)
    assert record.getMessage() == "chat <int>: 89 services, port 8080"


def test_asyncio_task_reprs_are_cut_from_its_messages() -> None:
    import logging

    from bot.privacy import PrivacyFilter

    text = (
        "Task exception was never retrieved\n"
        "future: <Task finished name='Task-5' coro=<handler() done> "
        "exception=ValueError('SENTINEL-typed-by-a-person')>"
    )
    try:
        raise ValueError("SENTINEL-typed-by-a-person")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "asyncio", logging.ERROR, "x", 1, text, None, sys.exc_info()
        )
    PrivacyFilter().filter(record)
    message = record.getMessage()
    assert message.startswith("Task exception was never retrieved [ValueError at ")
    assert "SENTINEL" not in message


def test_refused_webhook_requests_are_logged_at_most_once_a_minute(caplog) -> None:
    import logging

    from bot.webhook import Refusals

    refusals = Refusals(every=60.0)
    with caplog.at_level(logging.WARNING, logger="waypoint.webhook"):
        for _ in range(500):
            refusals.add("wrong or missing secret")
    assert len(caplog.records) == 1
    assert refusals.counts["wrong or missing secret"] == 499
