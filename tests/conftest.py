from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from e2e_support import BotProcess

from bot.botapi import BotApiServer


@pytest.fixture(scope="session")
def gazetteer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding a built gazetteer, built once per test session and copied from."""
    from bot.geo.build import build

    path = tmp_path_factory.mktemp("gazetteer")
    build(path)
    return path


def seeded_data_dir(target: Path, gazetteer_dir: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for built in gazetteer_dir.glob("gazetteer*.sqlite3"):
        shutil.copy2(built, target / built.name)
    return target


@pytest.fixture(scope="session")
async def api() -> AsyncIterator[BotApiServer]:
    server = BotApiServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture(scope="session")
async def running_bot(
    api: BotApiServer, tmp_path_factory: pytest.TempPathFactory, gazetteer_dir: Path
) -> AsyncIterator[BotProcess]:
    """One bot process shared by the conversation tests; each test uses its own chat."""
    work = tmp_path_factory.mktemp("bot")
    data = seeded_data_dir(work / "data", gazetteer_dir)
    process = BotProcess(api, data, work)
    await process.start()
    try:
        yield process
    finally:
        await process.stop()


@pytest.fixture
def clean_api(api: BotApiServer):
    """Fails a test whose bot made a call the Bot API spec forbids."""
    before = len(api.violations)
    yield api
    new = api.violations[before:]
    assert not new, f"Bot API violations: {new}"


@pytest.fixture
async def own_api() -> AsyncIterator[BotApiServer]:
    """A Bot API server of the test's own, for tests that start their own bot process.

    Two bots polling one server would share its updates, so such a test must not use `api`,
    where the session's shared bot may already be polling.
    """
    server = BotApiServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001 - pytest's own type
    """The gate's review report: how much of each catalog a native speaker has checked."""
    from bot.i18n import review_status, shipped_languages

    counts = []
    for lang in shipped_languages():
        if lang == "en":
            continue  # the source language
        reviewed, total = review_status(lang)
        counts.append(f"{lang} {len(reviewed)}/{total}")
    terminalreporter.write_line("translations reviewed by a native speaker: " + ", ".join(counts))
