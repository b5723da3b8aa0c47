"""A local Telegram Bot API server for end-to-end tests and the offline terminal chat.

The real python-telegram-bot `Application` talks to it over HTTP exactly as it would to
Telegram, while a test (or the terminal chat) plays the person through the driver methods.
Every call is checked against the bundled Bot API spec and Telegram's limits; each problem is
recorded in `violations` and answered with a 400 like Telegram's.

Starting it::

    server = BotApiServer()                    # token "123456:TEST"
    await server.start()                       # 127.0.0.1, a free port
    app = (ApplicationBuilder().token(server.token)
           .base_url(server.bot_base_url)      # root + "/bot"; PTB appends token and method
           .build())
    ...
    await server.stop()
    server.assert_clean()                      # AssertionError listing every violation

URL layout: ``{root}/bot{token}/{method}``.  Method names are case-insensitive.  A wrong token
gets 401 Unauthorized; an unknown method 404 and a violation.  Parameters may come as a JSON
body, x-www-form-urlencoded, multipart/form-data or a query string; JSON-serialized values in
form data (reply_markup, message_ids…) are decoded by their declared type.

Checked on every call: unknown method, unknown parameter, missing required parameter, values
that do not fit the declared types (nested objects such as InlineKeyboardMarkup included),
text over 4096 / caption over 1024 characters (counted after parsing HTML when
parse_mode=HTML), HTML Telegram cannot parse, empty text, callback_data outside 1-64 bytes,
an inline button without exactly one action field, an empty button text, bad bot commands,
latitude/longitude out of range, an unknown chat action.

Runtime refusals that a correct bot must cope with (chat not found, message to edit not
found, message is not modified, message can't be deleted after 48 hours, bot blocked…) are
answered like Telegram and listed in `errors`, not in `violations`.

Bot API methods served: getMe, getUpdates (offset/limit/timeout long polling,
allowed_updates), setWebhook (url, secret_token, allowed_updates, drop_pending_updates),
deleteWebhook, getWebhookInfo, sendMessage, editMessageText, editMessageReplyMarkup,
answerCallbackQuery, deleteMessage, deleteMessages, sendVenue, sendLocation, sendChatAction,
setMyCommands, getMyCommands, deleteMyCommands, setMyName/getMyName,
setMyDescription/getMyDescription, setMyShortDescription/getMyShortDescription,
setChatMenuButton/getChatMenuButton, leaveChat, getChat, close, logOut.  Any other method of
the spec is checked, then refused with 400 and a violation ("not supported by the local
server"), so a test notices.

The person's side (driver API; each returns the Update dict it queued)::

    await server.send_text(chat_id, text, *, user_id=None, language_code="en",
                           chat_type="private", first_name="Test")
    await server.send_command(chat_id, "/start", payload=None, ...)   # bot_command entity
    await server.press(chat_id, message_id, data, ...)       # callback_query; data may be forged
    await server.send_location(chat_id, lat, lon, ...)
    await server.send_sticker(chat_id, ...)
    await server.edit_text(chat_id, message_id, text)        # edited_message
    await server.add_bot_to_group(chat_id, ...)              # -> [my_chat_member, message]
    await server.channel_post(chat_id, text, ...)
    await server.block_bot(chat_id)                          # my_chat_member kicked; sends -> 403
    await server.push_raw_update(update_dict)                # for fuzzing

In a private chat the chat id is the person's user id.  Group and channel ids are negative.

Reading the result::

    server.chat_messages(chat_id, include_deleted=False) -> list[StoredMessage]
    server.last_bot_message(chat_id) -> StoredMessage | None
    server.message(chat_id, message_id) -> StoredMessage
    BotApiServer.buttons(message) -> list[(text, callback_data or url or None)]
    server.answered_callbacks, server.unanswered_callbacks()
    server.commands(language_code="", scope=None) -> list[dict]
    server.calls, server.violations, server.errors, server.webhook_deliveries
    await server.wait_for(predicate, timeout=5.0)
    await server.wait_for_bot_messages(chat_id, count=1, timeout=5.0, after=0)
    server.message_dict(stored) -> dict      # the Bot API Message object
    server.pending_updates -> list[dict]     # queued, not yet confirmed by getUpdates
    server.add_listener(callback) / remove_listener(callback)
        # callback(ChatEvent): kind sent | edited | deleted | callback_answer | action | left
    server.set_message_date(chat_id, message_id, unix_time)   # simulate the 48-hour limit

Fault injection (not violations): ``inject_fault(method, status=429, retry_after=None,
times=1, delay=0.0, drop=False, description=None)`` answers the next `times` calls of
`method` (any method but getUpdates when None) with 429 + parameters.retry_after (1 s when not
given), another status (5xx…), after `delay` seconds, or drops the connection without an
answer.  `status=None` with a delay only slows the call down (`slow(method, seconds)` says
that in one call).  `clear_faults()` removes them.

Everything is in memory and lives as long as the server object.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import aiohttp
from aiohttp import web

from bot.botapi.chats import (
    AnsweredCallback,
    Call,
    ChatEvent,
    ChatRecord,
    StoredMessage,
    WebhookDelivery,
)
from bot.botapi.formatting import ParseError, utf16_len, visible
from bot.botapi.rules import check_call
from bot.botapi.spec import MethodSpec, Spec, check_params, decode_value, load_spec

_LOG = logging.getLogger(__name__)

DELETE_WINDOW = 48 * 3600
# Telegram's default when allowed_updates is empty or never set.
_NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_DEFAULT_GROUP_USER = 4242

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class ApiError(Exception):
    """A refusal Telegram would send: HTTP status and description."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class _Fault:
    method: str | None
    status: int | None
    retry_after: int | None
    times: int
    delay: float
    drop: bool
    description: str | None

    def matches(self, method: str) -> bool:
        if self.method is None:
            return method.lower() != "getupdates"
        return self.method.lower() == method.lower()


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Query:
    chat_id: int
    message_id: int
    data: str | None
    answered: bool = False


@dataclass
class _Profile:
    """What set/getMy{Name,Description,ShortDescription,Commands} and menu buttons store."""

    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    texts: dict[tuple[str, str], str] = field(default_factory=dict)
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)


def _json_error(status: int, description: str, **parameters: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def _scope_key(scope: Any) -> str:
    if not isinstance(scope, dict):
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True)


class BotApiServer:
    """The fake Telegram: Bot API over HTTP for the bot, driver methods for the person."""

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        spec: Spec | None = None,
        clock: Callable[[], float] = time.time,
        bot_username: str = "test_bot",
        bot_first_name: str = "Test Bot",
        webhook_retry_delay: float = 0.05,
    ) -> None:
        self.token = token
        self.spec = spec or load_spec()
        self._clock = clock
        bot_id = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id) if bot_id.isdigit() else 123456,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.webhook_retry_delay = webhook_retry_delay

        self.violations: list[str] = []
        self.errors: list[str] = []
        self.calls: list[Call] = []
        # Method names in the order calls arrived (a slowed call is in `calls` only once done).
        self.arrived: list[str] = []
        self.answered_callbacks: list[AnsweredCallback] = []
        self.webhook_deliveries: list[WebhookDelivery] = []

        self._chats: dict[int, ChatRecord] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._queries: dict[str, _Query] = {}
        self._next_query = 1
        self._profile = _Profile()
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed: tuple[str, ...] | None = None
        self._poll_generation = 0
        self._webhook: _Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._faults: list[_Fault] = []
        self._listeners: list[Callable[[ChatEvent], None]] = []
        self._updates_cond = asyncio.Condition()
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._methods: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "sendVenue": self._send_venue,
            "sendLocation": self._send_location,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyName": self._profile_setter("name"),
            "getMyName": self._profile_getter("name"),
            "setMyDescription": self._profile_setter("description"),
            "getMyDescription": self._profile_getter("description"),
            "setMyShortDescription": self._profile_setter("short_description"),
            "getMyShortDescription": self._profile_getter("short_description"),
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "leaveChat": self._leave_chat,
            "getChat": self._get_chat,
            "close": self._true,
            "logOut": self._true,
        }

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._host = host
        self._port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession()
        self._closing = False

    async def stop(self) -> None:
        self._closing = True
        await self._notify_updates()
        await self._stop_webhook_task()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def root(self) -> str:
        """http://127.0.0.1:PORT — the Bot API root (TELEGRAM_API_BASE_URL)."""
        if self._port is None:
            raise RuntimeError("the server is not started")
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """Same as `root`."""
        return self.root

    @property
    def bot_base_url(self) -> str:
        """What PTB's `base_url` wants: it appends the token and `/method` itself."""
        return f"{self.root}/bot"

    def assert_clean(self) -> None:
        if self.violations:
            listed = "\n".join(f"  - {v}" for v in self.violations)
            raise AssertionError(f"{len(self.violations)} Bot API violation(s):\n{listed}")

    # --- HTTP ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_error(401, "Unauthorized")
        try:
            return await self._dispatch(request)
        finally:
            await self._notify_changed()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        asked = request.match_info["method"]
        method_spec = self.spec.method(asked)
        name = method_spec.name if method_spec else asked
        params, unreadable = await self._read_params(request, method_spec)

        self.arrived.append(name)
        fault = self._take_fault(name)
        if fault is not None:
            if fault.delay:
                await self._notify_changed()  # a slowed call has arrived: waiters may look
            response = await self._apply_fault(fault, request)
            if response is not None or fault.drop:
                self.calls.append(Call(name, params, response.status if response else 0, True))
                # After a drop the transport is closed; aiohttp discards this answer.
                return response or web.Response()
        if method_spec is None:
            self._violate(f"unknown method {asked!r}")
            self.calls.append(Call(name, params, 404))
            return _json_error(404, "Not Found")

        problems = unreadable + check_params(self.spec, method_spec, params)
        problems += check_call(name, params, self.spec.update_types)
        if problems:
            for problem in problems:
                self._violate(f"{name}: {problem}")
            self.calls.append(Call(name, params, 400))
            return _json_error(400, "Bad Request: " + "; ".join(problems))
        handler = self._methods.get(name)
        if handler is None:
            self._violate(f"{name}: not supported by the local Bot API server")
            self.calls.append(Call(name, params, 400))
            return _json_error(400, f"Bad Request: {name} is not supported by the local server")
        try:
            result = await handler(params)
        except ApiError as exc:
            transport = request.transport
            # A long poll whose client already left (PTB cancels it on stop) is no error.
            if transport is not None and not transport.is_closing():
                self.errors.append(f"{name}: {exc.description}")
            self.calls.append(Call(name, params, exc.status))
            return _json_error(exc.status, exc.description, **exc.parameters)
        self.calls.append(Call(name, params, 200))
        return web.json_response({"ok": True, "result": result})

    async def _read_params(
        self, request: web.Request, method_spec: MethodSpec | None
    ) -> tuple[dict[str, Any], list[str]]:
        raw: dict[str, Any] = dict(request.query)
        problems: list[str] = []
        if request.body_exists:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    body = None
                if isinstance(body, dict):
                    raw.update(body)
                else:
                    problems.append("the JSON body is not an object")
            elif request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        raw[key] = {"upload": value.filename}
                    else:
                        raw[key] = value
            else:
                problems.append(f"unsupported content type {request.content_type!r}")
        if method_spec is None:
            return raw, problems
        params: dict[str, Any] = {}
        for key, value in raw.items():
            known = method_spec.by_name.get(key)
            params[key] = decode_value(value, known.types if known else ("Unknown",))
        return params, problems

    def _violate(self, text: str) -> None:
        self.violations.append(text)

    # --- faults -------------------------------------------------------------------------

    def inject_fault(
        self,
        method: str | None = None,
        *,
        status: int | None = 429,
        retry_after: int | None = None,
        times: int = 1,
        delay: float = 0.0,
        drop: bool = False,
        description: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` fail (see the module docstring)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults.append(
            _Fault(method, status, retry_after, times, delay, drop, description)
        )

    def slow(self, method: str, seconds: float, *, times: int = 1_000_000) -> None:
        """Answer the next `times` calls of `method` only after `seconds`: a slow Telegram."""
        self.inject_fault(method, status=None, delay=seconds, times=times)

    def clear_faults(self) -> None:
        self._faults.clear()

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.times > 0 and fault.matches(method):
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None

    async def _apply_fault(self, fault: _Fault, request: web.Request) -> web.Response | None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            if request.transport is not None:
                request.transport.close()
            return None
        if fault.status is None:
            return None  # only slowed down; the call goes on
        if fault.status == 429:
            description = fault.description or f"Too Many Requests: retry after {fault.retry_after}"
            return _json_error(429, description, retry_after=fault.retry_after)
        try:
            phrase = HTTPStatus(fault.status).phrase
        except ValueError:
            phrase = "Error"
        return _json_error(fault.status, fault.description or phrase)

    # --- updates --------------------------------------------------------------------------

    def _now(self) -> int:
        return int(self._clock())

    def _allowed_kinds(self) -> Callable[[str], bool]:
        allowed = self._allowed
        known = set(self.spec.update_types)

        def accepts(kind: str) -> bool:
            if kind not in known:
                return True  # raw fuzz updates always reach the bot
            if allowed is None:
                return kind not in _NOT_BY_DEFAULT
            return kind in allowed

        return accepts

    @staticmethod
    def _kind_of(update: Mapping[str, Any]) -> str:
        return next((k for k in update if k != "update_id"), "")

    async def _queue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        await self._notify_updates()
        await self._notify_changed()
        return update

    async def _notify_updates(self) -> None:
        async with self._updates_cond:
            self._updates_cond.notify_all()

    async def _notify_changed(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _deliverable(self) -> list[dict[str, Any]]:
        """Pending updates the bot accepts; the rest are dropped as Telegram does."""
        accepts = self._allowed_kinds()
        self._updates = [u for u in self._updates if accepts(self._kind_of(u))]
        return self._updates

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        confirmed = len(self._updates)
        if isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]
        if len(self._updates) != confirmed:
            # Confirmed now, not when this long poll ends (up to `timeout` later): a test
            # waiting for `pending_updates` to empty must hear of it.
            await self._notify_changed()
        if "allowed_updates" in params:
            allowed = params["allowed_updates"] or ()
            self._allowed = tuple(allowed) if allowed else None
        limit = params.get("limit") or 100
        limit = max(1, min(100, int(limit)))
        timeout = max(0, int(params.get("timeout") or 0))
        self._poll_generation += 1
        generation = self._poll_generation

        def ready() -> bool:
            return (
                bool(self._deliverable())
                or self._closing
                or self._webhook is not None
                or self._poll_generation != generation
            )

        if timeout and not ready():
            async with self._updates_cond:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._updates_cond.wait_for(ready), timeout)
        if self._poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one "
                "bot instance is running",
            )
        if self._webhook is not None:
            raise ApiError(409, "Conflict: webhook was set while getUpdates was waiting")
        return [json.loads(json.dumps(u)) for u in self._deliverable()[:limit]]

    # --- webhook --------------------------------------------------------------------------

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if "allowed_updates" in params:
            allowed = params["allowed_updates"] or ()
            self._allowed = tuple(allowed) if allowed else None
        await self._stop_webhook_task()
        if not url:
            self._webhook = None
            return True
        self._webhook = _Webhook(
            url=url,
            secret_token=params.get("secret_token"),
            max_connections=int(params.get("max_connections") or 40),
        )
        self._webhook_task = asyncio.create_task(self._deliver_webhook(self._webhook))
        await self._notify_updates()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        await self._stop_webhook_task()
        self._webhook = None
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        hook = self._webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._deliverable()),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
            if self._allowed is not None:
                info["allowed_updates"] = list(self._allowed)
        return info

    async def _stop_webhook_task(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver_webhook(self, hook: _Webhook) -> None:
        """POST pending updates one by one, in order, retrying until the receiver says 2xx."""
        while not self._closing and self._webhook is hook:
            async with self._updates_cond:
                await self._updates_cond.wait_for(
                    lambda: bool(self._deliverable()) or self._closing or self._webhook is not hook
                )
            if self._closing or self._webhook is not hook or self._session is None:
                return
            update = self._deliverable()[0]
            headers = {"Content-Type": "application/json"}
            if hook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
            status, error = 0, None
            try:
                async with self._session.post(
                    hook.url,
                    data=json.dumps(update),
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=10),
                ) as response:
                    status = response.status
                    await response.read()
                    if not 200 <= status < 300:
                        error = f"Wrong response from the webhook: {status} {response.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {type(exc).__name__}"
            self.webhook_deliveries.append(WebhookDelivery(update["update_id"], status, error))
            if error is None:
                if self._updates and self._updates[0] is update:
                    self._updates.pop(0)
                await self._notify_changed()
            else:
                hook.last_error_date = self._now()
                hook.last_error_message = error
                await self._notify_changed()
                await asyncio.sleep(self.webhook_retry_delay)

    # --- chats and users ----------------------------------------------------------------

    def _user(
        self, user_id: int, *, first_name: str = "Test", language_code: str | None = "en"
    ) -> dict[str, Any]:
        user = self._users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name}
            self._users[user_id] = user
        if language_code:
            user["language_code"] = language_code
        else:
            user.pop("language_code", None)
        return user

    def _ensure_chat(
        self, chat_id: int, chat_type: str, *, title: str | None = None,
        first_name: str | None = None,
    ) -> ChatRecord:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_type == "private" and chat_id <= 0:
                raise ValueError("a private chat id is the person's (positive) user id")
            if chat_type != "private" and chat_id >= 0:
                raise ValueError("group and channel chat ids are negative")
            chat = ChatRecord(
                id=chat_id,
                type=chat_type,
                title=title or (None if chat_type == "private" else f"Test {chat_type}"),
                first_name=first_name if chat_type == "private" else None,
            )
            self._chats[chat_id] = chat
        return chat

    def _chat_for_bot(self, chat_id: Any, *, sending: bool = True) -> ChatRecord:
        chat = None
        if isinstance(chat_id, int):
            chat = self._chats.get(chat_id)
        elif isinstance(chat_id, str):
            chat = next((c for c in self._chats.values() if f"@{c.username}" == chat_id), None)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if sending and chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if sending and not chat.bot_member:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return chat

    def _message_dict(self, message: StoredMessage) -> dict[str, Any]:
        chat = self._chats[message.chat_id]
        out: dict[str, Any] = {"message_id": message.message_id}
        if message.from_bot:
            out["from"] = dict(self.bot_user)
        elif chat.type == "channel":
            out["sender_chat"] = chat.api()
        elif message.user_id is not None:
            out["from"] = dict(self._users[message.user_id])
        out["chat"] = chat.api()
        out["date"] = message.date
        if message.edit_date is not None:
            out["edit_date"] = message.edit_date
        if message.text is not None:
            out["text"] = message.text
        if message.entities:
            out["entities"] = [dict(e) for e in message.entities]
        out.update(json.loads(json.dumps(dict(message.payload))))
        markup = message.reply_markup
        if markup and "inline_keyboard" in markup:
            out["reply_markup"] = json.loads(json.dumps(dict(markup)))
        return out

    def _emit(self, event: ChatEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception as exc:  # a broken listener must not break the bot's call
                _LOG.warning("chat listener failed: %s", type(exc).__name__)

    # --- Bot API methods --------------------------------------------------------------------

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _parsed(self, params: dict[str, Any]) -> tuple[str, tuple[dict[str, Any], ...]]:
        mode = params.get("parse_mode")
        try:
            shown = visible(params["text"], mode if isinstance(mode, str) else None)
        except ParseError as exc:  # checked earlier; kept for direct calls
            raise ApiError(400, f"Bad Request: {exc}") from exc
        entities = shown.entities
        if not entities and isinstance(params.get("entities"), list):
            entities = tuple(params["entities"])
        return shown.text, entities

    def _bot_message(self, chat: ChatRecord, kind: str, **fields: Any) -> StoredMessage:
        message = chat.add(from_bot=True, kind=kind, date=self._now(), **fields)
        self._emit(ChatEvent("sent", chat.id, message, message.text))
        return message

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_bot(params["chat_id"])
        text, entities = self._parsed(params)
        markup = params.get("reply_markup")
        message = self._bot_message(
            chat, "text", text=text, entities=entities,
            reply_markup=markup if isinstance(markup, dict) else None,
        )
        return self._message_dict(message)

    async def _send_location(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_bot(params["chat_id"])
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        message = self._bot_message(
            chat, "location", payload={"location": location},
            reply_markup=params.get("reply_markup"),
        )
        return self._message_dict(message)

    async def _send_venue(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_bot(params["chat_id"])
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        venue: dict[str, Any] = {
            "location": location,
            "title": params["title"],
            "address": params["address"],
        }
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if key in params:
                venue[key] = params[key]
        message = self._bot_message(
            chat, "venue", text=None, payload={"venue": venue, "location": location},
            reply_markup=params.get("reply_markup"),
        )
        return self._message_dict(message)

    def _bot_message_to_edit(self, params: dict[str, Any]) -> tuple[ChatRecord, StoredMessage]:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: inline messages are not supported locally")
        if "chat_id" not in params or "message_id" not in params:
            self._violate("edit without chat_id and message_id")
            raise ApiError(400, "Bad Request: message identifier is not specified")
        chat = self._chat_for_bot(params["chat_id"])
        message = chat.messages.get(params["message_id"])
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, message

    def _edited(self, chat: ChatRecord, message: StoredMessage, **changes: Any) -> StoredMessage:
        edited = chat.update(message, edit_date=self._now(), **changes)
        self._emit(ChatEvent("edited", chat.id, edited, edited.text))
        return edited

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._bot_message_to_edit(params)
        if message.text is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._parsed(params)
        # Telegram drops the inline keyboard when an edit does not repeat it.
        markup = params.get("reply_markup")
        if (text, tuple(entities), markup) == (message.text, message.entities,
                                               message.reply_markup):
            raise ApiError(400, _NOT_MODIFIED)
        edited = self._edited(chat, message, text=text, entities=entities, reply_markup=markup)
        return self._message_dict(edited)

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._bot_message_to_edit(params)
        markup = params.get("reply_markup")
        if markup == message.reply_markup:
            raise ApiError(400, _NOT_MODIFIED)
        edited = self._edited(chat, message, reply_markup=markup)
        return self._message_dict(edited)

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params["callback_query_id"])
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is "
                "invalid",
            )
        query.answered = True
        answer = AnsweredCallback(
            query_id=query_id,
            chat_id=query.chat_id,
            message_id=query.message_id,
            data=query.data,
            text=params.get("text"),
            show_alert=bool(params.get("show_alert", False)),
            url=params.get("url"),
        )
        self.answered_callbacks.append(answer)
        self._emit(ChatEvent("callback_answer", query.chat_id, None, answer.text))
        return True

    def _deletable(self, chat: ChatRecord, message: StoredMessage | None) -> str | None:
        """Why `message` cannot be deleted, or None when it can."""
        if message is None or message.deleted:
            return "Bad Request: message to delete not found"
        if self._now() - message.date >= DELETE_WINDOW:
            return "Bad Request: message can't be deleted"
        if chat.type != "private" and not message.from_bot and not chat.bot_admin:
            return "Bad Request: message can't be deleted"
        return None

    def _delete(self, chat: ChatRecord, message: StoredMessage) -> None:
        gone = chat.update(message, deleted=True)
        self._emit(ChatEvent("deleted", chat.id, gone, None))

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat_for_bot(params["chat_id"], sending=False)
        message = chat.messages.get(params["message_id"])
        why = self._deletable(chat, message)
        if why is not None:
            raise ApiError(400, why)
        assert message is not None
        self._delete(chat, message)
        return True

    async def _delete_messages(self, params: dict[str, Any]) -> bool:
        chat = self._chat_for_bot(params["chat_id"], sending=False)
        # Telegram skips ids it cannot find or may not delete and still answers true.
        for message_id in params["message_ids"]:
            message = chat.messages.get(message_id)
            if message is not None and self._deletable(chat, message) is None:
                self._delete(chat, message)
        return True

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        chat = self._chat_for_bot(params["chat_id"])
        self._emit(ChatEvent("action", chat.id, None, params["action"]))
        return True

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        key = (_scope_key(params.get("scope")), params.get("language_code") or "")
        self._profile.commands[key] = [
            {"command": c["command"], "description": c["description"]}
            for c in params["commands"]
        ]
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        key = (_scope_key(params.get("scope")), params.get("language_code") or "")
        return [dict(c) for c in self._profile.commands.get(key, [])]

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        key = (_scope_key(params.get("scope")), params.get("language_code") or "")
        self._profile.commands.pop(key, None)
        return True

    def _profile_setter(self, kind: str) -> Handler:
        async def set_text(params: dict[str, Any]) -> bool:
            key = (kind, params.get("language_code") or "")
            value = params.get(kind) or ""
            if value:
                self._profile.texts[key] = value
            else:
                self._profile.texts.pop(key, None)
            return True

        return set_text

    def _profile_getter(self, kind: str) -> Handler:
        async def get_text(params: dict[str, Any]) -> dict[str, str]:
            lang = params.get("language_code") or ""
            texts = self._profile.texts
            value = texts.get((kind, lang), texts.get((kind, ""), ""))
            if kind == "name" and not value:
                value = self.bot_user["first_name"]
            return {kind: value}

        return get_text

    async def _set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        chat_id = params.get("chat_id")
        button = params.get("menu_button") or {"type": "default"}
        self._profile.menu_buttons[chat_id if isinstance(chat_id, int) else None] = button
        return True

    async def _get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        buttons = self._profile.menu_buttons
        key = chat_id if isinstance(chat_id, int) else None
        return dict(buttons.get(key) or buttons.get(None) or {"type": "default"})

    async def _leave_chat(self, params: dict[str, Any]) -> bool:
        chat = self._chat_for_bot(params["chat_id"], sending=False)
        if chat.type == "private":
            raise ApiError(400, "Bad Request: chat member status can't be changed in private chats")
        if not chat.bot_member:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        chat.bot_member = False
        chat.bot_admin = False
        await self._queue(
            "my_chat_member",
            self._member_change(chat, self.bot_user, "member", "left"),
        )
        self._emit(ChatEvent("left", chat.id))
        return True

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_bot(params["chat_id"], sending=False)
        return {
            **chat.api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    # --- the person's side (driver API) -------------------------------------------------------

    def _sender(
        self, chat_id: int, user_id: int | None, chat_type: str, first_name: str,
        language_code: str | None,
    ) -> tuple[ChatRecord, dict[str, Any]]:
        if chat_type == "private":
            if user_id is not None and user_id != chat_id:
                raise ValueError("in a private chat the chat id is the person's user id")
            user_id = chat_id
        elif user_id is None:
            user_id = _DEFAULT_GROUP_USER
        user = self._user(user_id, first_name=first_name, language_code=language_code)
        chat = self._ensure_chat(
            chat_id, chat_type, first_name=first_name if chat_type == "private" else None
        )
        if chat.type == "private":
            chat.blocked = False  # writing to a bot unblocks it
        return chat, user

    def _person_message(
        self, chat: ChatRecord, user: dict[str, Any], kind: str, **fields: Any
    ) -> StoredMessage:
        return chat.add(from_bot=False, user_id=user["id"], kind=kind, date=self._now(), **fields)

    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        language_code: str | None = "en",
        chat_type: str = "private",
        first_name: str = "Test",
        entities: Iterable[Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        """The person sends `text`; returns the queued Update ({"update_id", "message"})."""
        chat, user = self._sender(chat_id, user_id, chat_type, first_name, language_code)
        message = self._person_message(
            chat, user, "text", text=text, entities=tuple(dict(e) for e in entities)
        )
        return await self._queue("message", self._message_dict(message))

    async def send_command(
        self,
        chat_id: int,
        command: str = "/start",
        payload: str | None = None,
        *,
        user_id: int | None = None,
        language_code: str | None = "en",
        chat_type: str = "private",
        first_name: str = "Test",
    ) -> dict[str, Any]:
        """`/command [payload]` with its bot_command entity (a deep link sends /start PAYLOAD)."""
        if not command.startswith("/"):
            command = "/" + command
        text = f"{command} {payload}" if payload else command
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        return await self.send_text(
            chat_id, text, user_id=user_id, language_code=language_code,
            chat_type=chat_type, first_name=first_name, entities=[entity],
        )

    async def press(
        self,
        chat_id: int,
        message_id: int,
        data: str | None,
        *,
        user_id: int | None = None,
        language_code: str | None = "en",
        first_name: str = "Test",
    ) -> dict[str, Any]:
        """The person taps a button of a bot message; `data` need not match any button."""
        chat = self._chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        if chat is None or message is None or message.deleted or not message.from_bot:
            raise LookupError(f"no visible bot message {message_id} in chat {chat_id}")
        chat, user = self._sender(chat_id, user_id, chat.type, first_name, language_code)
        query_id = str(1_000_000 + self._next_query)
        self._next_query += 1
        self._queries[query_id] = _Query(chat_id, message_id, data)
        query: dict[str, Any] = {
            "id": query_id,
            "from": dict(user),
            "message": self._message_dict(message),
            "chat_instance": str(abs(chat_id) * 7 + 3),
        }
        if data is not None:
            query["data"] = data
        return await self._queue("callback_query", query)

    async def send_location(
        self,
        chat_id: int,
        latitude: float,
        longitude: float,
        *,
        user_id: int | None = None,
        language_code: str | None = "en",
        chat_type: str = "private",
        first_name: str = "Test",
    ) -> dict[str, Any]:
        chat, user = self._sender(chat_id, user_id, chat_type, first_name, language_code)
        location = {"latitude": latitude, "longitude": longitude}
        message = self._person_message(chat, user, "location", payload={"location": location})
        return await self._queue("message", self._message_dict(message))

    async def send_sticker(
        self,
        chat_id: int,
        *,
        emoji: str = "🙂",
        user_id: int | None = None,
        language_code: str | None = "en",
        chat_type: str = "private",
        first_name: str = "Test",
    ) -> dict[str, Any]:
        chat, user = self._sender(chat_id, user_id, chat_type, first_name, language_code)
        sticker = {
            "file_id": "CAACAgIAAxkBAAEBsticker",
            "file_unique_id": "AgADsticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        message = self._person_message(chat, user, "sticker", payload={"sticker": sticker})
        return await self._queue("message", self._message_dict(message))

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        """The person edits one of their text messages (an edited_message update)."""
        chat = self._chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        if chat is None or message is None or message.deleted or message.from_bot:
            raise LookupError(f"no message of the person {message_id} in chat {chat_id}")
        if message.text is None:
            raise ValueError("only text messages can be edited")
        edited = chat.update(message, text=text, entities=(), edit_date=self._now())
        return await self._queue("edited_message", self._message_dict(edited))

    def _member_change(
        self, chat: ChatRecord, actor: Mapping[str, Any], old: str, new: str,
        *, admin: bool = False,
    ) -> dict[str, Any]:
        def member(status: str) -> dict[str, Any]:
            if status == "administrator":
                return {
                    "status": "administrator", "user": dict(self.bot_user),
                    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                    "can_delete_messages": True, "can_manage_video_chats": False,
                    "can_restrict_members": False, "can_promote_members": False,
                    "can_change_info": False, "can_invite_users": True,
                    "can_post_stories": False, "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            if status == "kicked":
                return {"status": "kicked", "user": dict(self.bot_user), "until_date": 0}
            return {"status": status, "user": dict(self.bot_user)}

        return {
            "chat": chat.api(),
            "from": dict(actor),
            "date": self._now(),
            "old_chat_member": member(old),
            "new_chat_member": member("administrator" if admin else new),
        }

    async def add_bot_to_group(
        self,
        chat_id: int,
        *,
        title: str = "Test group",
        chat_type: str = "group",
        user_id: int | None = None,
        first_name: str = "Test",
        admin: bool = False,
    ) -> list[dict[str, Any]]:
        """Someone adds the bot to a group: [my_chat_member update, new_chat_members update]."""
        if chat_type not in ("group", "supergroup"):
            raise ValueError("chat_type must be group or supergroup")
        chat = self._ensure_chat(chat_id, chat_type, title=title)
        chat.bot_member, chat.bot_admin = True, admin
        user = self._user(user_id or _DEFAULT_GROUP_USER, first_name=first_name)
        change = await self._queue(
            "my_chat_member", self._member_change(chat, user, "left", "member", admin=admin)
        )
        bot = dict(self.bot_user)
        message = self._person_message(
            chat, user, "new_chat_members",
            payload={"new_chat_members": [bot], "new_chat_member": bot,
                     "new_chat_participant": bot},
        )
        joined = await self._queue("message", self._message_dict(message))
        return [change, joined]

    async def channel_post(
        self, chat_id: int, text: str, *, title: str = "Test channel"
    ) -> dict[str, Any]:
        chat = self._ensure_chat(chat_id, "channel", title=title)
        message = chat.add(from_bot=False, kind="text", date=self._now(), text=text)
        return await self._queue("channel_post", self._message_dict(message))

    async def block_bot(self, chat_id: int) -> dict[str, Any]:
        """The person blocks the bot: a my_chat_member update; sending then answers 403."""
        chat = self._chats.get(chat_id)
        if chat is None or chat.type != "private":
            raise LookupError(f"no private chat {chat_id}")
        chat.blocked = True
        update = self._member_change(chat, self._users[chat_id], "member", "kicked")
        return await self._queue("my_chat_member", update)

    async def push_raw_update(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Queue any dict as an update (an update_id is added when missing)."""
        raw = json.loads(json.dumps(dict(update)))
        if "update_id" not in raw:
            raw = {"update_id": self._next_update_id, **raw}
        self._next_update_id = max(self._next_update_id, int(raw["update_id"]) + 1)
        self._updates.append(raw)
        await self._notify_updates()
        await self._notify_changed()
        return raw

    # --- reading the chat -----------------------------------------------------------------

    def chat_messages(self, chat_id: int, include_deleted: bool = False) -> list[StoredMessage]:
        """The chat as the person sees it, oldest first (deleted ones only when asked)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [
            m for _, m in sorted(chat.messages.items()) if include_deleted or not m.deleted
        ]

    def message(self, chat_id: int, message_id: int) -> StoredMessage:
        return self._chats[chat_id].messages[message_id]

    def last_bot_message(self, chat_id: int) -> StoredMessage | None:
        mine = [m for m in self.chat_messages(chat_id) if m.from_bot]
        return mine[-1] if mine else None

    def message_dict(self, message: StoredMessage) -> dict[str, Any]:
        """The Bot API Message object for a stored message."""
        return self._message_dict(message)

    @staticmethod
    def buttons(message: StoredMessage | Mapping[str, Any] | None) -> list[tuple[str, str | None]]:
        """Inline buttons in reading order as (text, callback_data or url or None)."""
        if message is None:
            return []
        markup = (
            message.reply_markup
            if isinstance(message, StoredMessage)
            else message.get("reply_markup")
        )
        rows = (markup or {}).get("inline_keyboard") or []
        out: list[tuple[str, str | None]] = []
        for row in rows:
            for button in row:
                out.append((button.get("text", ""), button.get("callback_data", button.get("url"))))
        return out

    def unanswered_callbacks(self) -> list[str]:
        """Ids of callback queries the bot never answered (the spinner keeps turning)."""
        return [qid for qid, q in self._queries.items() if not q.answered]

    def commands(
        self, language_code: str = "", scope: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Commands stored by setMyCommands for a scope (default scope) and language."""
        key = (_scope_key(dict(scope) if scope else None), language_code)
        return [dict(c) for c in self._profile.commands.get(key, [])]

    def set_message_date(self, chat_id: int, message_id: int, date: int) -> None:
        """Move a message in time, e.g. past the 48 hours after which it cannot be deleted."""
        chat = self._chats[chat_id]
        chat.update(chat.messages[message_id], date=int(date))

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._updates)

    def add_listener(self, listener: Callable[[ChatEvent], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[ChatEvent], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    # --- waiting ----------------------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until `predicate()` is truthy (re-checked after every change); return it."""
        result = predicate()
        if result:
            return result
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        async with self._changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise TimeoutError(f"condition not met within {timeout} s")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    async def wait_for_bot_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0, *, after: int = 0
    ) -> list[StoredMessage]:
        """Wait until at least `count` visible bot messages with id > `after`; return them."""

        def enough() -> list[StoredMessage] | None:
            mine = [
                m for m in self.chat_messages(chat_id) if m.from_bot and m.message_id > after
            ]
            return mine if len(mine) >= count else None

        try:
            return await self.wait_for(enough, timeout)  # type: ignore[no-any-return]
        except TimeoutError:
            seen = [m.message_id for m in self.chat_messages(chat_id) if m.from_bot]
            raise TimeoutError(
                f"expected {count} bot message(s) after id {after} in chat {chat_id}; "
                f"bot messages there: {seen}; violations: {self.violations}"
            ) from None
