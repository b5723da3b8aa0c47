"""The only state that outlives a restart: a chat's language and country, under a one-way code.

Rows expire after 30 days without use; /forget and quick exit delete a row at once.
Nothing else about a person is written anywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

log = logging.getLogger("waypoint.store")

STATE_FILE = "state.sqlite3"

EXPIRY_SECONDS = 30 * 24 * 3600
_DAY = 24 * 3600
_SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_state (
    code TEXT PRIMARY KEY,
    lang TEXT,
    country TEXT,
    touched_day INTEGER NOT NULL
)
"""


@dataclass(frozen=True)
class Kept:
    lang: str | None
    country: str | None


class StateStore:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._checkpoint_due = False

    @classmethod
    async def open(cls, data_dir: Path) -> StateStore:
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / STATE_FILE
        try:
            db = await cls._connect(path)
        except sqlite3.DatabaseError as exc:
            # A corrupt file holds nothing worth more than a working bot: start afresh.
            log.warning("state database unreadable (%s); starting a new one", type(exc).__name__)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            db = await cls._connect(path)
        store = cls(db)
        await store.expire()
        return store

    @staticmethod
    async def _connect(path: Path) -> aiosqlite.Connection:
        _private(path)
        db = await aiosqlite.connect(path)
        try:
            await db.execute("PRAGMA busy_timeout = 5000")
            # A deleted row is overwritten, not just unlinked from the b-tree: a forgotten
            # chat's code, language and country cannot be read back from free pages.
            await db.execute("PRAGMA secure_delete = ON")
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute(_SCHEMA)
            await db.execute("PRAGMA quick_check")
            await db.commit()
        except sqlite3.DatabaseError:
            await db.close()
            raise
        return db

    @staticmethod
    def _today() -> int:
        return int(time.time()) // _DAY

    async def get(self, code: str) -> Kept | None:
        async with self._db.execute(
            "SELECT lang, country, touched_day FROM chat_state WHERE code = ?", (code,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        if (self._today() - row[2]) * _DAY > EXPIRY_SECONDS:
            await self.forget(code)
            return None
        return Kept(lang=row[0], country=row[1])

    async def put(self, code: str, lang: str | None, country: str | None) -> None:
        await self._db.execute(
            "INSERT INTO chat_state (code, lang, country, touched_day) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(code) DO UPDATE SET lang=excluded.lang, country=excluded.country, "
            "touched_day=excluded.touched_day",
            (code, lang, country, self._today()),
        )
        await self._db.commit()
        if self._checkpoint_due:
            await self._checkpoint()

    async def forget(self, code: str) -> None:
        try:
            await self._db.execute("DELETE FROM chat_state WHERE code = ?", (code,))
            await self._db.commit()
        except sqlite3.OperationalError:
            # A moment's lock (another chat's read still open): once more, then give up loudly.
            await asyncio.sleep(0.05)
            await self._db.execute("DELETE FROM chat_state WHERE code = ?", (code,))
            await self._db.commit()
        await self._checkpoint()

    async def forget_all(self) -> int:
        """Every kept row: after a key rotation no code can be matched to a chat again."""
        cur = await self._db.execute("DELETE FROM chat_state")
        await self._db.commit()
        await self._checkpoint()
        return cur.rowcount or 0

    async def count(self) -> int:
        async with self._db.execute("SELECT count(*) FROM chat_state") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def expire(self) -> int:
        cutoff = self._today() - EXPIRY_SECONDS // _DAY
        cur = await self._db.execute("DELETE FROM chat_state WHERE touched_day < ?", (cutoff,))
        await self._db.commit()
        await self._checkpoint()
        return cur.rowcount or 0

    async def _checkpoint(self) -> None:
        # The WAL still holds the row's pages until they are copied back: copy and truncate
        # it now, so the deleted row lives nowhere on disk. Another chat's read may hold the
        # table for a moment; then the next write or the minute timer finishes the job.
        try:
            await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as exc:
            self._checkpoint_due = True
            log.info("state checkpoint deferred (%s)", type(exc).__name__)
        else:
            self._checkpoint_due = False

    async def tidy(self) -> None:
        """A deferred checkpoint, if one is due (called on a timer)."""
        if self._checkpoint_due:
            await self._checkpoint()

    async def keep_tidy(self, every: float = 60.0) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.tidy()
            except sqlite3.Error as exc:
                log.warning("state tidy failed (%s)", type(exc).__name__)

    async def close(self) -> None:
        await self._db.close()


def _private(path: Path) -> None:
    """The state file (and its WAL) readable by the bot's user only, like the key."""
    for suffix in ("", "-wal", "-shm"):
        target = Path(f"{path}{suffix}")
        if suffix == "":
            with contextlib.suppress(FileExistsError):
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with contextlib.suppress(FileNotFoundError):
            os.chmod(target, 0o600)
