"""`python -m bot resources …`: what a maintainer sees."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.directory.cli import main
from bot.directory.validate import check_path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "directory" / "small.csv"
HSDS = Path("/work/shared/hsds/simple")


def test_the_shipped_resources_csv_has_no_errors() -> None:
    checked = check_path(ROOT / "resources.csv")
    assert checked.errors == ()
    assert checked.rows == len(checked.services) >= 89


def test_validate_prints_each_problem_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.csv"
    text = FIXTURE.read_text(encoding="utf-8")
    text = text.replace("shelter|counselling", "shelter|spa").replace("2026-09-01", "2020-01-01", 1)
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}:2: unknown category 'spa'")
    assert out[1] == f"{path}:3: warning: last verified 2020-01-01, more than 12 months ago"
    assert out[-1] == f"{path}: FAILED: 10 rows, 1 error(s), 1 warning(s)"


def test_validate_passes_a_good_file_and_reads_resources_csv_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mine.csv"
    shutil.copy(FIXTURE, path)
    monkeypatch.setenv("RESOURCES_CSV", str(path))
    assert main(["validate"]) == 0
    assert f"{path}: OK: 10 rows, 0 error(s), 0 warning(s)" in capsys.readouterr().err


def test_validate_of_a_missing_file_fails(tmp_path: Path) -> None:
    assert main(["validate", str(tmp_path / "nope.csv")]) == 1


def test_stats_counts_by_country_and_category(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("10 services in 2 countries")
    assert "GB           8" in out
    assert "without coordinates (national services): 3" in out


def test_usage_errors_return_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2


@pytest.mark.skipif(not HSDS.is_dir(), reason="HSDS sample not present")
def test_hsds_import_writes_a_file_that_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hsds.csv"
    code = main(
        [
            "import-hsds",
            str(HSDS),
            "-o",
            str(out),
            "--country",
            "US",
            "--national-without-location",
            "--map",
            "helpline=hotline",
            "--map",
            "housing=shelter",
        ]
    )
    assert code == 0
    checked = check_path(out)
    assert checked.errors == ()
    services = {s.name: s for s in checked.services}
    assert "Food Safety Program" not in services  # inactive
    located = [s for s in checked.services if s.located]
    assert [(s.latitude, s.longitude) for s in located] == [(39.428192, -119.897426)]
    # Services without a place are national only when people can call them: the sample's
    # have no valid number, so none lands on the US talk screen.
    assert [s for s in checked.services if s.national] == []
    err = capsys.readouterr().err
    assert "dropped phone" in err
    assert "skipped 'Never Homeless Helpline': no coordinates and no valid phone" in err


@pytest.mark.skipif(not HSDS.is_dir(), reason="HSDS sample not present")
def test_hsds_import_without_a_country_says_how_to_give_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import-hsds", str(HSDS), "-o", str(tmp_path / "x.csv")]) == 1
    assert "--country" in capsys.readouterr().err
