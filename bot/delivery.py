"""Getting every answer through: Telegram's rate limits, 429s, 5xx errors and dropped links.

`AIORateLimiter` keeps to Telegram's limits and retries 429 answers after `retry_after`.
`PatientRateLimiter` adds retries with backoff for server errors, time-outs and dropped
connections, which AIORateLimiter passes straight on.  A call that still fails is logged by
the error handler with its route and error type only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger("waypoint.delivery")

BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0)


class PatientRateLimiter(AIORateLimiter):
    def __init__(self, overall_max_rate: float = 30, backoff: tuple[float, ...] = BACKOFF_SECONDS):
        super().__init__(overall_max_rate=overall_max_rate, max_retries=5)
        self._backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        for attempt, pause in enumerate((*self._backoff, None)):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise  # the request itself is wrong: sending it again cannot help
            except NetworkError as exc:
                # 5xx, time-outs and dropped connections: Telegram may be back in a moment.
                if pause is None:
                    raise
                log.info(
                    "retrying %s after %s (attempt %d)", endpoint, type(exc).__name__, attempt + 1
                )
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")
