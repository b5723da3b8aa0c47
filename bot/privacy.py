"""What keeps a person unidentifiable: keyed chat codes and a log filter.

Chat ids never reach disk or logs in plain form: state is keyed by HMAC-SHA256 of the chat
id under a secret key.  The log filter strips anything that could carry a person's words
(Telegram objects, dicts, exception messages) and the bot token from every record.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import os
import re
import secrets
import traceback
from pathlib import Path

KEY_FILE = "secret.key"
log = logging.getLogger("waypoint.privacy")


MIN_KEY_BITS = 128
MAKE_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'


def key_bits(key: str) -> float:
    """A cautious estimate of a key's entropy in bits.

    Each character counts for the smaller of its alphabet (digits, lower, upper, other) and
    the variety actually used, so a long key of few repeated symbols ("aaaa…", "abab…")
    counts for little. It can undercount a short random key; a 64-hex-digit key always passes.
    """
    if not key:
        return 0.0
    pool = 0
    pool += 10 if any(c.isdigit() for c in key) else 0
    pool += 26 if any(c.islower() for c in key) else 0
    pool += 26 if any(c.isupper() for c in key) else 0
    pool += 33 if any(not c.isalnum() for c in key) else 0
    distinct = len(set(key))
    per_char = min(math.log2(max(pool, 1)), math.log2(distinct)) if distinct > 1 else 0.0
    return len(key) * per_char


def load_or_create_key(data_dir: Path, configured: str | None = None) -> bytes:
    """The HMAC key: BOT_SECRET_KEY if set, else a key generated once into data_dir (0600).

    A key file that is empty or too short (a disk that filled up while it was written, say)
    is replaced: the codes it made can then no longer be matched, so kept state is orphaned
    and expires — safer than codes anyone could recompute.
    """
    if configured:
        return configured.encode("utf-8")
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii", errors="replace").strip()
        if key_bits(key) >= MIN_KEY_BITS:
            os.chmod(path, 0o600)
            return key.encode("ascii")
        log.warning("%s was empty or too short; a new key was generated", KEY_FILE)
        path.unlink()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_hex(32))
        out.flush()
        os.fsync(out.fileno())
    return path.read_text(encoding="ascii").strip().encode("ascii")


def rotate_key(data_dir: Path) -> bool:
    """Remove the generated key so the next start makes a new one; True if there was one."""
    path = data_dir / KEY_FILE
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


class ChatCodes:
    """One-way codes for chat ids: the same chat always gets the same code, nobody can go back."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def code(self, chat_id: int) -> str:
        return hmac.new(self._key, str(chat_id).encode("ascii"), hashlib.sha256).hexdigest()


# An integer this large could be a chat, user, message or update id: never logged.
LARGEST_LOGGED_INT = 10_000
_INT_FORMAT = re.compile(r"%(-?\d*)[di]")


class PrivacyFilter(logging.Filter):
    """Rewrites every record so that no update, message, text or token can be logged.

    Arguments that are not plain numbers or short identifiers are replaced by their type
    name, and so are integers large enough to be ids; exception messages are dropped (they
    can quote input) and only the exception type and the code locations of the traceback are
    kept. asyncio's own messages keep their first line without any object's repr.
    """

    def __init__(self, secrets_to_hide: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._hide = tuple(s for s in secrets_to_hide if s)

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg if isinstance(record.msg, str) else f"<{type(record.msg).__name__}>"
        if record.name.startswith("asyncio"):
            # asyncio writes reprs of tasks and their exceptions into the message itself
            # ("Task exception was never retrieved ... exception=ValueError('…')"): keep its
            # first line, without any repr.
            first = msg.splitlines()[0] if msg else ""
            msg = first.split("<", 1)[0].rstrip() + (" <object>" if "<" in first else "")
        args = record.args
        if args:
            if isinstance(args, dict):
                args = {k: _safe_arg(v) for k, v in args.items()}
            else:
                args = tuple(_safe_arg(a) for a in args)
            try:
                # An id replaced by "<int>" must still format: integers print alike with %s.
                msg = _INT_FORMAT.sub(r"%\1s", msg) % args
            except (TypeError, ValueError, KeyError):
                msg = f"{msg} <unformattable args>"
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            where = " <- ".join(
                f"{Path(f.filename).name}:{f.lineno}:{f.name}"
                for f in reversed(traceback.extract_tb(tb)[-6:])
            )
            msg = f"{msg} [{exc_type.__name__} at {where}]"
            record.exc_info = None
            record.exc_text = None
        record.stack_info = None
        for secret in self._hide:
            msg = msg.replace(secret, "<hidden>")
        record.msg = msg
        record.args = None
        return True


def _safe_arg(value: object) -> object:
    if isinstance(value, bool | float | type(None)):
        return value
    if isinstance(value, int):
        # Counts, sizes and ports are small; chat, user, message and update ids are not.
        return value if abs(value) < LARGEST_LOGGED_INT else "<int>"
    if isinstance(value, str) and len(value) <= 80 and value.isprintable():
        # Short strings are routes, error types, file names and counts written by us.
        # Anything a person sends arrives as an object, which is never let through.
        return value
    return f"<{type(value).__name__}>"


def setup_logging(level: int = logging.INFO, hide: tuple[str, ...] = ()) -> None:
    """Log to stderr through the privacy filter; httpx at WARNING (its lines hold the token)."""
    handler = logging.StreamHandler()
    handler.addFilter(PrivacyFilter(hide))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # geopy logs request URLs (with what a person typed) and servers' answers below ERROR.
    logging.getLogger("geopy").setLevel(logging.ERROR)
