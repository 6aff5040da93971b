"""`calfcare import activity` and `calfcare export fhir`, driven as a self-hoster would."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from calfcare.cli import app
from tests import activity_samples as samples
from tests.cli.test_diary_cli import add_user, env

runner = CliRunner()
__all__ = ["env"]


def _files(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        start = samples.START - timedelta(days=i)
        name, data = [("gpx", samples.gpx), ("tcx", samples.tcx), ("fit", samples.fit)][i % 3]
        path = folder / f"{i:03}.{name}"
        path.write_bytes(data(start))  # type: ignore[operator]
        paths.append(str(path))
    return paths


def test_many_files_are_imported_and_the_bundle_holds_them(
    env: dict[str, str], tmp_path: Path
) -> None:
    add_user(env, "runner@example.org")
    files = _files(tmp_path / "watch", 7)
    out = runner.invoke(
        app,
        ["import", "activity", *files, "--user", "runner@example.org", "--intensity", "6"],
        env=env,
    )
    assert out.exit_code == 0, out.output
    assert "Imported 7 training sessions; 0 already in the diary; 0 not imported." in out.stdout
    again = runner.invoke(
        app, ["import", "activity", files[0], "--user", "runner@example.org", "--intensity", "6"],
        env=env,
    )  # fmt: skip
    assert "Imported 0 training sessions; 1 already in the diary" in again.stdout

    target = tmp_path / "out" / "bundle.json"
    got = runner.invoke(
        app, ["export", "fhir", "--user", "runner@example.org", "--out", str(target)], env=env
    )
    assert got.exit_code == 0, got.output
    bundle = json.loads(target.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Observation") == 7
    printed = runner.invoke(app, ["export", "fhir", "--user", "runner@example.org"], env=env)
    assert json.loads(printed.stdout)["resourceType"] == "Bundle"


def test_a_broken_file_is_named_and_the_others_are_imported(
    env: dict[str, str], tmp_path: Path
) -> None:
    add_user(env, "runner@example.org")
    good = _files(tmp_path / "watch", 2)
    broken = tmp_path / "cut.fit"
    broken.write_bytes(samples.fit()[:50])
    out = runner.invoke(
        app,
        ["import", "activity", good[0], str(broken), good[1], "--user", "runner@example.org",
         "--intensity", "5"],
        env=env,
    )  # fmt: skip
    assert out.exit_code == 1
    assert "Imported 2 training sessions; 0 already in the diary; 1 not imported." in out.stdout
    assert "cut.fit: is cut short" in out.stderr
    assert "Traceback" not in out.output


def test_bad_options_are_clean_messages(env: dict[str, str], tmp_path: Path) -> None:
    add_user(env, "runner@example.org")
    (one,) = _files(tmp_path / "watch", 1)
    for args in (
        ["import", "activity", one, "--user", "runner@example.org", "--intensity", "11"],
        ["import", "activity", one, "--user", "runner@example.org"],
        ["import", "activity", str(tmp_path / "missing.fit"), "--user", "runner@example.org",
         "--intensity", "5"],
        ["import", "activity", one, "--user", "nobody@example.org", "--intensity", "5"],
        ["export", "fhir", "--user", "runner@example.org", "--out", str(tmp_path)],
    ):  # fmt: skip
        out = runner.invoke(app, args, env=env)
        assert out.exit_code != 0, args
        assert "Traceback" not in out.output
        assert out.output.strip(), args
