"""`inbox-app sync --once` then `inbox-app export` against the simulator over loopback:
what a user gets out must be what the vendors hold."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from inbox_app.cli import main
from inbox_app.simulator import FaultConfig, Simulator
from tests.e2e.truth import exported, livevox_threads, voximplant_threads, zoho_threads


def export(capsys: pytest.CaptureFixture[str], db: Path, what: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["export", what, "--format", "json", "--db", str(db)]) == 0
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return rows


def sync_once(config_file: Path, db: Path) -> int:
    return main(["sync", "--once", "--config", str(config_file), "--db", str(db)])


def test_sync_then_export_reproduces_the_simulator(
    sim: Simulator, config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "inbox.sqlite3"
    assert sync_once(config_file, db) == 0
    err = capsys.readouterr().err
    assert "[LiveVox demo] synced" in err and "[Zoho demo] synced" in err
    assert "[Voximplant demo] synced" in err

    threads, messages = export(capsys, db, "threads"), export(capsys, db, "messages")
    assert exported(threads, messages, "LiveVox demo") == livevox_threads(sim)
    assert exported(threads, messages, "Zoho demo") == zoho_threads(sim)
    assert exported(threads, messages, "Voximplant demo") == voximplant_threads(sim)
    assert all(t["preview"] for t in threads), "every thread shows its last message"
    for message in messages:
        assert str(message["at"]).endswith("Z")
        assert message["direction"] in ("in", "out")


def test_second_sync_changes_nothing_and_live_traffic_arrives(
    sim: Simulator, config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "inbox.sqlite3"
    assert sync_once(config_file, db) == 0
    first = export(capsys, db, "messages")
    assert sync_once(config_file, db) == 0
    assert export(capsys, db, "messages") == first

    for _ in range(5):
        sim.world.tick()
    assert sync_once(config_file, db) == 0
    threads, messages = export(capsys, db, "threads"), export(capsys, db, "messages")
    assert len(messages) > len(first)
    assert exported(threads, messages, "LiveVox demo") == livevox_threads(sim)
    assert exported(threads, messages, "Zoho demo") == zoho_threads(sim)
    assert exported(threads, messages, "Voximplant demo") == voximplant_threads(sim)


@pytest.mark.parametrize(
    "faults",
    [
        FaultConfig(error_5xx=0.1, rate_429=0.05, retry_after_s=0),
        FaultConfig(malformed=0.05, truncated=0.05, drop=0.03, expire=0.03),
    ],
    ids=["5xx-429", "broken-bodies-drops-expiry"],
)
def test_sync_through_faults_still_matches(
    sim: Simulator,
    config_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    faults: FaultConfig,
) -> None:
    """A call that fails all four of its attempts (about one in 2,000 here) ends its pass
    with an error, as it should; the next pass carries on from what the first stored.
    Three passes in a row failing would take about one run in 3,000."""
    sim.faults = faults
    db = tmp_path / "inbox.sqlite3"
    outcomes = []
    for _ in range(3):
        outcomes.append(sync_once(config_file, db))
        if outcomes[-1] == 0:
            break
    assert outcomes[-1] == 0, capsys.readouterr().err
    assert sum(sim.fault_counts.values()) > 0
    sim.faults = FaultConfig()
    threads, messages = export(capsys, db, "threads"), export(capsys, db, "messages")
    assert exported(threads, messages, "LiveVox demo") == livevox_threads(sim)
    assert exported(threads, messages, "Zoho demo") == zoho_threads(sim)
    assert exported(threads, messages, "Voximplant demo") == voximplant_threads(sim)


def test_wrong_password_fails_that_account_only(
    sim: Simulator, config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password = sim.credentials["livevox"]["password"]
    text = config_file.read_text(encoding="utf-8").replace(password, "wrong-password")
    config_file.write_text(text, encoding="utf-8")
    db = tmp_path / "inbox.sqlite3"
    assert sync_once(config_file, db) == 1
    err = capsys.readouterr().err
    error_lines = [line for line in err.splitlines() if line.startswith("inbox-app: error:")]
    assert len(error_lines) == 1
    assert "account 'LiveVox demo'" in error_lines[0]
    assert "wrong-password" not in err and "Traceback" not in err
    threads = export(capsys, db, "threads")
    assert {t["account"] for t in threads} == {"Zoho demo", "Voximplant demo", "Zoom demo"}


def test_unreachable_host_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[[accounts]]\nname = "LV"\nprovider = "livevox"\nbase_url = "http://127.0.0.1:9"\n'
        'client_name = "c"\nusername = "u"\npassword = "p4ssword"\naccess_token = "t0ken"\n',
        encoding="utf-8",
    )
    assert sync_once(config, tmp_path / "db.sqlite3") == 1
    err = capsys.readouterr().err
    (line,) = [x for x in err.splitlines() if x.startswith("inbox-app: error:")]
    assert "account 'LV'" in line and "127.0.0.1" in line
    assert "Traceback" not in err


def test_bad_config_exits_2_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[accounts]]\nname = "X"\nprovider = "twilio"\n', encoding="utf-8")
    assert sync_once(config, tmp_path / "db.sqlite3") == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"inbox-app: error: {config}:3: account 'X': unknown provider 'twilio'"
        " (known: livevox, zoho, voximplant, zoom)"
    )


def test_export_before_any_sync_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "threads", "--db", str(tmp_path / "none.sqlite3")]) == 2
    assert "run 'inbox-app sync --once' first" in capsys.readouterr().err


def test_csv_export_has_a_header_and_one_row_per_message(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "inbox.sqlite3"
    assert sync_once(config_file, db) == 0
    out = tmp_path / "messages.csv"
    assert main(["export", "messages", "--format", "csv", "--db", str(db), "-o", str(out)]) == 0
    import csv

    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(export(capsys, db, "messages"))
    assert {"id", "thread_id", "direction", "body", "at", "status", "attachments"} <= set(rows[0])


def test_console_entry_point_runs_as_a_process(config_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "inbox.sqlite3"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "inbox_app",
            "sync",
            "--once",
            "--config",
            str(config_file),
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "[LiveVox demo] channels…" in result.stderr


def _ctrl_c_as_at_a_terminal() -> None:
    """A test run started as a background job has Ctrl-C ignored, and its children
    inherit that; the app under test must get it as it would at a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_demo_syncs_live_traffic_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "inbox_app", "sync", "--demo", "--interval", "0.5"],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_at_a_terminal,
    )
    try:
        assert process.stderr is not None
        seen: list[str] = []
        for line in process.stderr:
            seen.append(line)
            passes = [x for x in seen if "inbox now" in x]
            if len(passes) >= 3 and any("[LiveVox demo]" in x for x in passes):
                break
        assert any(x.startswith("simulator at http://127.0.0.1:") for x in seen), seen
        assert any("[LiveVox demo]" in x and "unread" in x for x in seen), seen
        assert not any("Traceback" in x for x in seen), seen
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
    assert process.stderr is not None
    assert "Traceback" not in process.stderr.read()


def test_export_into_a_closed_pipe_ends_quietly(config_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "inbox.sqlite3"
    assert sync_once(config_file, db) == 0
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "inbox_app",
            "export",
            "messages",
            "--format",
            "csv",
            "--db",
            str(db),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith("id,thread_id,")
    process.stdout.close()
    assert process.wait(timeout=30) == 0
    assert process.stderr.read() == ""
