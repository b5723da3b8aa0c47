"""The directory index: built once per file version, swapped on change, never left broken."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from bot.directory import Directory, DirectoryError, ReloadStatus
from bot.directory.index import index_path, source_hash

FIXTURE = Path(__file__).parent / "data" / "directory" / "small.csv"
EXTRA = (
    "gb-test-new,New Test Service,legal,New.,GB,London,,51.5080,-0.1280,false,,,,,,,2026-11-01,\n"
)
BROKEN = (
    "gb-test-bad,Broken Test Service,spa,Bad.,GB,London,,51.5080,-0.1280,false,,,,,,,2026-11-01,\n"
)


@pytest.fixture
def csv_path(tmp_path: Path) -> Path:
    path = tmp_path / "resources.csv"
    shutil.copy(FIXTURE, path)
    return path


def _touch_later(path: Path) -> None:
    # Make sure the change is visible even on file systems with coarse timestamps.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


async def test_a_restart_with_an_unchanged_file_imports_nothing(
    csv_path: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    first = await Directory.open(csv_path, data)
    await first.close()
    built = index_path(data, source_hash(csv_path))
    stamp = built.stat().st_mtime_ns
    second = await Directory.open(csv_path, data)
    assert built.stat().st_mtime_ns == stamp
    assert (await second.get("gb-test-central")) is not None
    await second.close()


async def test_a_changed_good_file_is_swapped_in(csv_path: Path, tmp_path: Path) -> None:
    directory = await Directory.open(csv_path, tmp_path / "data")
    assert (await directory.reload_if_changed()).status is ReloadStatus.UNCHANGED
    with csv_path.open("a", encoding="utf-8") as f:
        f.write(EXTRA)
    _touch_later(csv_path)
    outcome = await directory.reload_if_changed()
    assert outcome.status is ReloadStatus.RELOADED
    assert (await directory.get("gb-test-new")) is not None
    nearby = await directory.nearest(51.5080, -0.1280, k=1)
    assert nearby.local[0][0].id == "gb-test-new"
    assert (await directory.reload_if_changed()).status is ReloadStatus.UNCHANGED
    # Only the index in use is kept.
    assert len(list((tmp_path / "data").glob("directory-*.sqlite3"))) == 1
    await directory.close()


async def test_a_broken_file_is_refused_and_the_last_good_keeps_serving(
    csv_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = await Directory.open(csv_path, tmp_path / "data")
    with csv_path.open("a", encoding="utf-8") as f:
        f.write(BROKEN)
    _touch_later(csv_path)
    with caplog.at_level(logging.INFO, logger="waypoint.directory"):
        outcome = await directory.reload_if_changed()
    assert outcome.status is ReloadStatus.REFUSED
    assert [(p.line, p.is_error) for p in outcome.problems] == [(12, True)]
    assert any(
        "directory line 12: unknown category 'spa'" in r.getMessage() for r in caplog.records
    )
    assert (await directory.get("gb-test-central")) is not None
    assert (await directory.get("gb-test-bad")) is None
    # Asking again does not re-check or re-log the same broken file.
    caplog.clear()
    assert (await directory.reload_if_changed()).status is ReloadStatus.REFUSED
    _touch_later(csv_path)
    assert (await directory.reload_if_changed()).status is ReloadStatus.REFUSED
    assert not caplog.records
    await directory.close()

    # A restart with the broken file still serves the last good index.
    again = await Directory.open(csv_path, tmp_path / "data")
    assert (await again.get("gb-test-central")) is not None
    assert again.refused and again.refused[0].line == 12
    await again.close()


async def test_a_broken_file_with_no_earlier_index_is_a_clear_error(
    csv_path: Path, tmp_path: Path
) -> None:
    with csv_path.open("a", encoding="utf-8") as f:
        f.write(BROKEN)
    with pytest.raises(DirectoryError) as caught:
        await Directory.open(csv_path, tmp_path / "data")
    assert "line 12: unknown category 'spa'" in str(caught.value)


async def test_a_missing_file_with_no_earlier_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match="cannot be used"):
        await Directory.open(tmp_path / "nope.csv", tmp_path / "data")


@pytest.mark.parametrize("damage", ["truncate", "scribble", "empty"])
async def test_a_corrupt_index_is_rebuilt_from_the_csv(
    csv_path: Path, tmp_path: Path, damage: str
) -> None:
    data = tmp_path / "data"
    await (await Directory.open(csv_path, data)).close()
    built = index_path(data, source_hash(csv_path))
    raw = built.read_bytes()
    if damage == "truncate":
        built.write_bytes(raw[: len(raw) // 2])
    elif damage == "scribble":
        built.write_bytes(raw[:100] + b"\xff" * 4096 + raw[4196:])
    else:
        built.write_bytes(b"")
    directory = await Directory.open(csv_path, data)
    nearby = await directory.nearest(51.51, -0.13, k=1)
    assert nearby.local[0][0].id == "gb-test-central"
    await directory.close()


async def test_watch_picks_up_a_change(csv_path: Path, tmp_path: Path) -> None:
    import asyncio

    directory = await Directory.open(csv_path, tmp_path / "data")
    task = asyncio.create_task(directory.watch(interval=0.05))
    with csv_path.open("a", encoding="utf-8") as f:
        f.write(EXTRA)
    _touch_later(csv_path)
    for _ in range(100):
        await asyncio.sleep(0.05)
        if await directory.get("gb-test-new") is not None:
            break
    task.cancel()
    assert await directory.get("gb-test-new") is not None
    await directory.close()


def _rewrite(path: Path, keep_rows: int) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[: 1 + keep_rows]), encoding="utf-8")
    _touch_later(path)


async def test_a_header_only_file_is_refused_and_the_directory_keeps_serving(
    csv_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = await Directory.open(csv_path, tmp_path / "data")
    _rewrite(csv_path, 0)  # a half-saved spreadsheet
    with caplog.at_level(logging.INFO, logger="waypoint.directory"):
        outcome = await directory.reload_if_changed()
    assert outcome.status is ReloadStatus.REFUSED
    assert "the file has 0 services, fewer than half of the 10 being served" in (
        outcome.problems[-1].message
    )
    assert any("fewer than half" in r.getMessage() for r in caplog.records)
    assert directory.size == 10
    assert (await directory.get("gb-test-central")) is not None
    await directory.close()
    # A restart with the half-saved file still serves the last good directory.
    again = await Directory.open(csv_path, tmp_path / "data")
    assert again.size == 10
    await again.close()


async def test_a_file_with_less_than_half_the_rows_is_refused_until_forced(
    csv_path: Path, tmp_path: Path
) -> None:
    from bot.directory import cli

    data = tmp_path / "data"
    directory = await Directory.open(csv_path, data)
    _rewrite(csv_path, 4)
    assert (await directory.reload_if_changed()).status is ReloadStatus.REFUSED
    assert directory.size == 10
    os.environ["BOT_DATA_DIR"] = str(data)
    try:
        assert cli.main(["reload", str(csv_path), "--force"]) == 0
    finally:
        del os.environ["BOT_DATA_DIR"]
    assert (await directory.reload_if_changed()).status is ReloadStatus.RELOADED
    assert directory.size == 4
    # The consent was for that version only.
    assert not (data / "directory.force").exists()
    await directory.close()


async def test_half_the_rows_is_still_accepted(csv_path: Path, tmp_path: Path) -> None:
    directory = await Directory.open(csv_path, tmp_path / "data")
    _rewrite(csv_path, 5)
    assert (await directory.reload_if_changed()).status is ReloadStatus.RELOADED
    assert directory.size == 5
    await directory.close()


async def test_a_header_only_file_with_no_earlier_index_is_a_clear_error(
    csv_path: Path, tmp_path: Path
) -> None:
    _rewrite(csv_path, 0)
    with pytest.raises(DirectoryError, match="the file has 0 services"):
        await Directory.open(csv_path, tmp_path / "data")
