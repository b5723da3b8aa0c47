"""Building the gazetteer: atomic, in a separate process when the bot needs it."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest

from bot.geo import build as build_module
from bot.geo.build import GazetteerBuildError, db_path, ensure_built, is_usable
from bot.geo.names import normalise


def test_the_built_file_is_usable_and_holds_countries_in_every_shipped_language(gazetteer_dir):
    import sqlite3

    assert is_usable(db_path(gazetteer_dir))
    conn = sqlite3.connect(db_path(gazetteer_dir))
    try:
        names = {text for (text,) in conn.execute("SELECT text FROM country_name WHERE code='DE'")}
        places = conn.execute("SELECT count(*) FROM place").fetchone()[0]
    finally:
        conn.close()
    expected = {"Germany", "Deutschland", "Німеччина", "Alemania", "Niemcy", "德国", "ألمانيا"}
    assert {normalise(name) for name in expected} <= names
    assert places > 200_000


def test_a_failed_build_leaves_no_file_behind(tmp_path, monkeypatch):
    def broken(conn, progress):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "_write", broken)
    with pytest.raises(RuntimeError):
        build_module.build(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_progress_goes_to_stderr_only(capsys):
    bar = build_module._Progress(True)
    bar.show(0.5, "writing names")
    bar.done()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "50%" in captured.err


def test_a_missing_or_broken_file_is_not_usable(tmp_path):
    assert not is_usable(db_path(tmp_path))
    db_path(tmp_path).write_bytes(b"\0" * 4096)
    assert not is_usable(db_path(tmp_path))


async def test_ensure_built_leaves_a_good_file_alone(gazetteer_dir, tmp_path, monkeypatch):
    shutil.copy2(db_path(gazetteer_dir), db_path(tmp_path))

    async def must_not_run(*args, **kwargs):
        raise AssertionError("rebuilt a usable gazetteer")

    monkeypatch.setattr(asyncio, "create_subprocess_exec", must_not_run)
    await ensure_built(tmp_path)


async def test_ensure_built_rebuilds_a_broken_file_in_another_process(
    gazetteer_dir, tmp_path, monkeypatch
):
    db_path(tmp_path).write_bytes(b"garbage")
    calls: list[tuple[str, ...]] = []

    class Child:
        async def wait(self) -> int:
            # Stands in for the child process: it leaves a finished file, as the real one would.
            shutil.copy2(db_path(gazetteer_dir), db_path(tmp_path))
            return 0

    async def spawn(*args, **kwargs):
        calls.append(args)
        return Child()

    monkeypatch.setattr(asyncio, "create_subprocess_exec", spawn)
    await ensure_built(tmp_path)
    assert calls and calls[0][:3] == (sys.executable, "-m", "bot.geo.build")
    assert "--data-dir" in calls[0]
    assert is_usable(db_path(tmp_path))


async def test_ensure_built_reports_a_failed_child(tmp_path, monkeypatch):
    class Child:
        async def wait(self) -> int:
            return 1

    async def spawn(*args, **kwargs):
        return Child()

    monkeypatch.setattr(asyncio, "create_subprocess_exec", spawn)
    with pytest.raises(GazetteerBuildError):
        await ensure_built(Path(tmp_path))


def test_the_command_line_prints_where_it_built(monkeypatch, tmp_path, capsys):
    made: list[Path] = []

    def fake_build(data_dir: Path, progress: bool = False) -> Path:
        made.append(data_dir)
        path = db_path(data_dir)
        path.write_bytes(b"x")
        return path

    monkeypatch.setattr(build_module, "build", fake_build)
    assert build_module.main(["build", "--data-dir", str(tmp_path), "--quiet"]) == 0
    assert made == [tmp_path]
    assert "gazetteer.sqlite3" in capsys.readouterr().out
