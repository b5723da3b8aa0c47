"""The local Bot API server, driven by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.botapi import BotApiServer

PERSON = 4711


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    srv = BotApiServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(server.token, base_url=server.bot_base_url) as client:
        yield client


async def _raw(server: BotApiServer, method: str, *, token: str | None = None,
               **kwargs: Any) -> tuple[int, dict[str, Any]]:
    url = f"{server.root}/bot{token or server.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as response:
        return response.status, await response.json()


def _keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Open", callback_data=data)]])


async def test_get_me_answers_with_the_bot_user(server: BotApiServer, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.id == 123456 and me.username == "test_bot"
    server.assert_clean()


async def test_a_sent_message_appears_in_the_chat(server: BotApiServer, bot: Bot) -> None:
    await server.send_text(PERSON, "hello")
    sent = await bot.send_message(
        PERSON, "<b>Your rights</b> &amp; options", parse_mode="HTML",
        reply_markup=_keyboard("w1|m"),
    )
    assert sent.message_id == 2  # ids are shared by the person's and the bot's messages
    assert sent.from_user is not None and sent.from_user.is_bot
    last = server.last_bot_message(PERSON)
    assert last is not None and last.text == "Your rights & options"
    assert server.buttons(last) == [("Open", "w1|m")]
    assert [m.from_bot for m in server.chat_messages(PERSON)] == [False, True]
    server.assert_clean()


async def test_sending_to_an_unknown_chat_is_refused_but_not_a_violation(
    server: BotApiServer, bot: Bot
) -> None:
    with pytest.raises(BadRequest, match="[Cc]hat not found"):
        await bot.send_message(999, "anyone?")
    assert server.errors == ["sendMessage: Bad Request: chat not found"]
    server.assert_clean()


async def test_a_too_long_text_is_a_violation(server: BotApiServer, bot: Bot) -> None:
    await server.send_text(PERSON, "hi")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(PERSON, "x" * 4097)
    assert server.violations == [
        "sendMessage: message is too long: 4097 characters, the limit is 4096"
    ]
    with pytest.raises(AssertionError, match="1 Bot API violation"):
        server.assert_clean()


async def test_callback_data_over_64_bytes_is_a_violation(server: BotApiServer, bot: Bot) -> None:
    await server.send_text(PERSON, "hi")
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(PERSON, "menu", reply_markup=_keyboard("w1|" + "a" * 62))
    assert len(server.violations) == 1 and "65 bytes" in server.violations[0]
    assert server.last_bot_message(PERSON) is None


async def test_an_unknown_parameter_is_a_violation(server: BotApiServer, bot: Bot) -> None:
    await server.send_text(PERSON, "hi")
    with pytest.raises(BadRequest, match="(?i)unknown parameter 'colour'"):
        await bot.send_message(PERSON, "hello", api_kwargs={"colour": "red"})
    assert server.violations == ["sendMessage: unknown parameter 'colour'"]


async def test_unknown_method_is_404_and_a_violation(server: BotApiServer) -> None:
    status, body = await _raw(server, "sendTelepathy", json={"chat_id": 1})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert server.violations == ["unknown method 'sendTelepathy'"]


async def test_a_wrong_token_is_unauthorized(server: BotApiServer) -> None:
    status, body = await _raw(server, "getMe", token="1:WRONG")
    assert status == 401 and body["description"] == "Unauthorized"
    with pytest.raises(InvalidToken):
        async with Bot("1:WRONG", base_url=server.bot_base_url):
            pass


async def test_parameters_arrive_as_json_form_or_query_and_names_ignore_case(
    server: BotApiServer,
) -> None:
    await server.send_text(PERSON, "hi")
    markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
    as_json = await _raw(server, "SendMessage", json={"chat_id": PERSON, "text": "json"})
    as_form = await _raw(server, "sendmessage",
                         data={"chat_id": str(PERSON), "text": "42", "reply_markup": markup})
    as_query = await _raw(server, f"sendMessage?chat_id={PERSON}&text=query")
    assert [r[0] for r in (as_json, as_form, as_query)] == [200, 200, 200]
    assert [m.text for m in server.chat_messages(PERSON)][1:] == ["json", "42", "query"]
    assert server.buttons(as_form[1]["result"]) == [("A", "a")]
    assert [c.method for c in server.calls] == ["sendMessage"] * 3
    server.assert_clean()


async def test_delete_messages_removes_and_skips_missing_ids(
    server: BotApiServer, bot: Bot
) -> None:
    update = await server.send_text(PERSON, "something private")
    sent = await bot.send_message(PERSON, "reply")
    assert await bot.delete_messages(PERSON, [update["message"]["message_id"], sent.message_id, 77])
    assert server.chat_messages(PERSON) == []
    assert len(server.chat_messages(PERSON, include_deleted=True)) == 2
    server.assert_clean()


async def test_messages_older_than_48_hours_cannot_be_deleted(
    server: BotApiServer, bot: Bot
) -> None:
    update = await server.send_text(PERSON, "old")
    old_id = update["message"]["message_id"]
    server.set_message_date(PERSON, old_id, int(time.time()) - 49 * 3600)
    with pytest.raises(BadRequest, match="can't be deleted"):
        await bot.delete_message(PERSON, old_id)
    assert await bot.delete_messages(PERSON, [old_id])
    assert [m.message_id for m in server.chat_messages(PERSON)] == [old_id]


async def test_editing_without_a_change_is_refused_and_an_edit_drops_the_keyboard(
    server: BotApiServer, bot: Bot
) -> None:
    await server.send_text(PERSON, "hi")
    sent = await bot.send_message(PERSON, "menu", reply_markup=_keyboard("a"))
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("menu", PERSON, sent.message_id, reply_markup=_keyboard("a"))
    await bot.edit_message_text("page", PERSON, sent.message_id)
    edited = server.message(PERSON, sent.message_id)
    assert edited.text == "page" and edited.reply_markup is None and edited.edit_date
    server.assert_clean()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_fault_answers_429_with_retry_after(server: BotApiServer, bot: Bot) -> None:
    await server.send_text(PERSON, "hi")
    server.inject_fault("sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(PERSON, "first")
    assert "7" in str(caught.value)
    await bot.send_message(PERSON, "second")  # the fault was for one call only
    assert [c.status for c in server.calls if c.method == "sendMessage"] == [429, 200]
    server.assert_clean()


async def test_faults_can_fail_slow_down_or_drop_a_call(server: BotApiServer, bot: Bot) -> None:
    await server.send_text(PERSON, "hi")
    server.inject_fault("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(PERSON, "a")
    server.inject_fault("sendMessage", drop=True)
    with pytest.raises(NetworkError):
        await bot.send_message(PERSON, "b")
    server.inject_fault(None, status=None, delay=0.01)
    await bot.send_message(PERSON, "c")
    sends = [(c.status, c.fault) for c in server.calls if c.method == "sendMessage"]
    assert sends == [(502, True), (0, True), (200, False)]
    assert [m.text for m in server.chat_messages(PERSON) if m.from_bot] == ["c"]
    server.assert_clean()


async def test_a_blocked_bot_is_forbidden_to_send(server: BotApiServer, bot: Bot) -> None:
    await server.send_text(PERSON, "hi")
    await server.block_bot(PERSON)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(PERSON, "still there?")
    server.assert_clean()


async def test_commands_are_stored_per_language(server: BotApiServer, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Start"), ("exit", "Quick exit")])
    await bot.set_my_commands([("start", "Inicio")], language_code="es")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "exit"]
    assert server.commands("es") == [{"command": "start", "description": "Inicio"}]
    await bot.delete_my_commands(language_code="es")
    assert server.commands("es") == []
    server.assert_clean()


async def test_the_bot_can_leave_a_group_it_was_added_to(server: BotApiServer, bot: Bot) -> None:
    change, joined = await server.add_bot_to_group(-100200)
    assert change["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert joined["message"]["new_chat_members"][0]["is_bot"]
    assert await bot.leave_chat(-100200)
    with pytest.raises(Forbidden):
        await bot.send_message(-100200, "hello?")
    server.assert_clean()


@pytest.fixture
async def echo_app(server: BotApiServer) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"echo: {update.effective_message.text}", reply_markup=_keyboard("again")
        )

    async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("done")
        await update.callback_query.edit_message_text(f"tapped {update.callback_query.data}")

    app = ApplicationBuilder().token(server.token).base_url(server.bot_base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(tapped))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_long_polling_delivers_a_text_to_the_application(
    server: BotApiServer, echo_app: Application  # type: ignore[type-arg]
) -> None:
    update = await server.send_text(PERSON, "ping")
    [reply] = await server.wait_for_bot_messages(PERSON, 1, after=update["message"]["message_id"])
    assert reply.text == "echo: ping"
    await server.press(PERSON, reply.message_id, "forged|data")
    await server.wait_for(lambda: server.message(PERSON, reply.message_id).edit_date)
    assert server.message(PERSON, reply.message_id).text == "tapped forged|data"
    assert [a.text for a in server.answered_callbacks] == ["done"]
    assert server.unanswered_callbacks() == []
    server.assert_clean()


async def test_allowed_updates_filter_what_polling_returns(
    server: BotApiServer, bot: Bot
) -> None:
    await server.send_text(PERSON, "hello")
    await server.push_raw_update({"some_future_update": {"x": 1}})
    updates = await bot.get_updates(allowed_updates=["callback_query"], timeout=0)
    assert [u.update_id for u in updates] == [2]  # the message was dropped; unknown kinds pass
    assert server.pending_updates[0]["some_future_update"] == {"x": 1}
    server.assert_clean()


async def test_webhook_posts_updates_with_the_secret_header(
    server: BotApiServer, bot: Bot
) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    failures_left = [1]

    async def receive(request: web.Request) -> web.Response:
        if failures_left[0]:
            failures_left[0] -= 1
            return web.Response(status=500)
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret-token")
        await server.send_text(PERSON, "via webhook")
        await server.wait_for(lambda: received)
        secret, update = received[0]
        assert secret == "s3cret-token"
        assert update["message"]["text"] == "via webhook"
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0 and info.last_error_message
        assert [d.status for d in server.webhook_deliveries] == [500, 200]
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()
    finally:
        await runner.cleanup()
    server.assert_clean()


async def test_wait_for_gives_up_after_the_timeout(server: BotApiServer) -> None:
    with pytest.raises(TimeoutError):
        await server.wait_for_bot_messages(PERSON, 1, timeout=0.05)


async def test_stopping_ends_a_waiting_long_poll(server: BotApiServer, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await server.wait_for(lambda: True)
    await asyncio.sleep(0.05)
    await server.stop()
    assert await asyncio.wait_for(poll, 5) == ()


async def test_every_driver_update_deserializes_in_ptb(server: BotApiServer, bot: Bot) -> None:
    await server.send_command(PERSON, "/start", "de-rights")
    sent = await bot.send_message(PERSON, "menu", reply_markup=_keyboard("w1|m"))
    await bot.send_venue(PERSON, 52.37, 4.89, "Help desk", "Main street 1")
    await server.press(PERSON, sent.message_id, "w1|m")
    await server.send_location(PERSON, 52.37, 4.89)
    await server.send_sticker(PERSON)
    await server.edit_text(PERSON, 1, "/start")
    await server.add_bot_to_group(-300)
    await server.send_text(-300, "hello group", chat_type="group")
    await server.channel_post(-1001, "news")
    await server.block_bot(PERSON)
    updates = await bot.get_updates(allowed_updates=Update.ALL_TYPES, timeout=0)
    assert [u.update_id for u in updates] == list(range(1, 11))
    start = updates[0].message
    assert start is not None and start.text == "/start de-rights"
    assert start.parse_entities() and start.from_user is not None
    assert updates[1].callback_query is not None and updates[1].callback_query.data == "w1|m"
    assert updates[2].message is not None and updates[2].message.location is not None
    assert updates[3].message is not None and updates[3].message.sticker is not None
    assert updates[4].edited_message is not None
    assert updates[5].my_chat_member is not None
    assert updates[6].message is not None and updates[6].message.new_chat_members
    assert updates[7].effective_chat is not None and updates[7].effective_chat.type == "group"
    assert updates[8].channel_post is not None
    blocked = updates[9].my_chat_member
    assert blocked is not None and blocked.new_chat_member.status == "kicked"
    venue = server.chat_messages(PERSON)[2]
    assert venue.kind == "venue" and venue.payload["venue"]["title"] == "Help desk"
    server.assert_clean()


async def test_a_long_poll_that_confirms_updates_wakes_whoever_waits_for_them(
    server: BotApiServer, bot: Bot
) -> None:
    await server.send_text(PERSON, "first")
    (first,) = await bot.get_updates(timeout=0)
    # The next long poll confirms `first` at once, then waits for more: a test waiting for
    # the queue to empty must not wait for the poll to end.
    # The poll lasts 20 s; wait_for gives up (and fails the test) after 10 s.
    polling = asyncio.create_task(bot.get_updates(offset=first.update_id + 1, timeout=20))
    await server.wait_for(lambda: not server.pending_updates, timeout=10)
    await server.send_text(PERSON, "second")
    assert [u.message.text for u in await polling] == ["second"]  # type: ignore[union-attr]
