"""HTTP to the Bot API over aiohttp, in place of python-telegram-bot's default httpx.

Measured with bench/updates.py, httpx's connection pool cost more CPU than everything else
the bot does per button press: for each request it walks every pooled connection and polls
its socket, so a crowd (many requests in flight) costs more per request than one person.
aiohttp, which the bot already uses for webhooks, does the same HTTP with its parser in C.

Errors are mapped as PTB's own HTTPXRequest maps them (time-outs to `TimedOut`, the rest to
`NetworkError`), so its rate limiter and our retries (bot.delivery) behave the same.  Error
messages name only the error's type: aiohttp's texts can hold the URL, which holds the token.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` on one `aiohttp.ClientSession`."""

    def __init__(
        self,
        connection_pool_size: int = 8,
        *,
        connect_timeout: float | None = 10.0,
        read_timeout: float | None = 15.0,
        pool_timeout: float | None = 10.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # Proxies from the environment, as httpx does by default.
                trust_env=True,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def discard(self) -> None:
        """Let go of the session without a loop, after a start that failed before PTB could
        shut it down (it then has no open connections); otherwise aiohttp warns at exit."""
        if self._session is not None and not self._session.closed:
            self._session.detach()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if _default(read_timeout) else read_timeout
        connect = self._connect_timeout if _default(connect_timeout) else connect_timeout
        pool = self._pool_timeout if _default(pool_timeout) else pool_timeout
        # aiohttp's `connect` covers waiting for a pooled connection and opening one.
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from exc


def _default(value: object) -> bool:
    return isinstance(value, type(BaseRequest.DEFAULT_NONE))


def _body(request_data: RequestData | None) -> dict[str, str] | aiohttp.FormData | None:
    """Form fields as the Bot API takes them; multipart when there are files."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, *rest = part
        form.add_field(
            name, content, filename=filename, content_type=rest[0] if rest else None
        )
    return form
