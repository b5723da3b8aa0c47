"""The directory's R*Tree read node by node, for the nearest-first walk in `search`.

Also the services the walk found, by row: one synchronous connection serves a whole search.

SQLite keeps an R*Tree named `geo` in ordinary tables: `geo_node` holds each node as a blob
(node 1 is the root), `geo_rowid` each row's auxiliary columns.  A node blob is a 2-byte
depth of the tree (meaningful in the root only), a 2-byte cell count, then the cells: an
8-byte child node or row number and the box as 32-bit floats (south, north, west, east),
all big-endian.  This is SQLite's documented, stable file format (ext/rtree/rtree.c); reading
it lets a search open the nearest boxes first, which SQL cannot ask for.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

from bot.directory.search import Box, Cell, prepare

_HEADER = struct.Struct(">HH")
_CELL = struct.Struct(">qffff")
# Inner nodes are read by every search; they are few (one per ~50 leaves), so keep them.
_CACHED_NODES = 8192


class SqliteRTree:
    """A read-only view of an index's `geo` R*Tree, used from the event loop's thread (it is
    opened in a worker thread, hence check_same_thread=False)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(
            f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        self._conn.execute("PRAGMA busy_timeout = 5000")
        self._conn.execute("PRAGMA mmap_size = 268435456")
        self._inner: dict[int, list[Box]] = {}

    def height(self) -> int:
        blob = self._blob(1)
        return _HEADER.unpack_from(blob)[0] if len(blob) >= _HEADER.size else 0

    def inner(self, number: int) -> list[Box]:
        boxes = self._inner.get(number)
        if boxes is None:
            boxes = prepare(_cells(self._blob(number)))
            if len(self._inner) < _CACHED_NODES:
                self._inner[number] = boxes
        return boxes

    def leaf(self, number: int) -> list[Cell]:
        return _cells(self._blob(number))

    def point(self, row: int) -> tuple[float, float, int] | None:
        found = self._conn.execute(
            "SELECT a0, a1, a2 FROM geo_rowid WHERE rowid = ?", (row,)
        ).fetchone()
        return (float(found[0]), float(found[1]), int(found[2])) if found else None

    def data(self, rows: list[int]) -> list[tuple[int, str]]:
        """(row, the service as JSON) for the rows found, from the same file."""
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found = self._conn.execute(
            f"SELECT n, data FROM services WHERE n IN ({marks})", rows
        ).fetchall()
        return [(int(n), str(data)) for n, data in found]

    def close(self) -> None:
        self._conn.close()

    def _blob(self, number: int) -> bytes:
        found = self._conn.execute(
            "SELECT data FROM geo_node WHERE nodeno = ?", (number,)
        ).fetchone()
        return bytes(found[0]) if found else b""


def _cells(blob: bytes) -> list[Cell]:
    if len(blob) < _HEADER.size:
        return []
    count = _HEADER.unpack_from(blob)[1]
    end = _HEADER.size + count * _CELL.size
    return list(_CELL.iter_unpack(blob[_HEADER.size : end]))
