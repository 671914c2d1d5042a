"""`inbox-app export transcript` after a real sync of the simulator: the filters pick
what the review window would, the files read back right, and mistakes get one line."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from inbox_app.cli import main
from inbox_app.simulator import SimConfig, Simulator, serve_in_thread
from inbox_app.simulator.cli import accounts_toml
from inbox_app.store.transcript import CSV_COLUMNS


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One synced cache for the module: the exports only read it."""
    folder = tmp_path_factory.mktemp("transcripts")
    sim = Simulator(SimConfig(seed=7, frozen_clock=True))
    with serve_in_thread(sim) as running:
        config = folder / "config.toml"
        config.write_text(accounts_toml(running, sim.credentials), encoding="utf-8")
        path = folder / "inbox.sqlite3"
        assert main(["sync", "--once", "--config", str(config), "--db", str(path)]) == 0
    yield path


def transcript(db: Path, *args: str) -> int:
    return main(["export", "transcript", "--db", str(db), *args])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        return list(reader)


def test_filtered_csv_matches_the_cache(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "zoho-in.csv"
    assert transcript(db, "--account", "Zoho demo", "--direction", "in", "-o", str(out)) == 0
    rows = read_csv(out)
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM messages WHERE account = 'Zoho demo' AND direction = 'in'"
        ).fetchone()[0]
    assert len(rows) == stored > 0
    assert {(r["account"], r["vendor"], r["direction"]) for r in rows} == {
        ("Zoho demo", "zoho", "in")
    }
    assert all(r["time"].endswith("Z") for r in rows)
    assert f"exported {stored} messages to {out}" in capsys.readouterr().err

    thread = rows[0]["thread"]
    one = tmp_path / "one.csv"
    assert transcript(db, "--account", "Zoho demo", "--thread", thread, "-o", str(one)) == 0
    assert {r["thread"] for r in read_csv(one)} == {thread}


def test_csv_to_stdout_with_search_and_dates(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert (
        transcript(db, "--search", "refund", "--since", "2000-01-01", "--until", "2999-12-31") == 0
    )
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    demo_accounts = {"LiveVox demo", "Zoho demo", "Voximplant demo", "Zoom demo"}
    assert rows and {r["account"] for r in rows} <= demo_accounts
    threads = {r["thread"] for r in rows}
    assert all(
        any("refund" in r["body"].lower() for r in rows if r["thread"] == t) for t in threads
    )
    assert transcript(db, "--since", "2999-01-01") == 0
    assert capsys.readouterr().out.strip() == ",".join(CSV_COLUMNS)


def test_pdf_of_one_inbox(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "personal.pdf"
    args = ["--format", "pdf", "--inbox", "Personal SMS", "--direction", "out"]
    assert transcript(db, *args, "--status", "active", "-o", str(out)) == 0
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(out).pages)
    assert "LiveVox demo" in text and "Personal SMS" in text and "Page 1" in text
    assert "Agent · " in text and "Customer · " not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "a PDF transcript needs a file: -o FILE"),
        (["--format", "json"], "a transcript exports as csv or pdf"),
        (["--since", "last tuesday"], "--since 'last tuesday': expected a day"),
        (["--since", "2024-05-02", "--until", "2024-05-01"], "--since must come before --until"),
        (["--inbox", "Nowhere"], "no inbox 'Nowhere' in the cache (known: "),
        (["-o", "/no/such/dir/x.csv"], "/no/such/dir: no such directory"),
    ],
)
def test_mistakes_get_one_line(
    db: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    capsys.readouterr()
    assert transcript(db, *args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"inbox-app: error: {message}") and err.count("\n") == 1


def test_transcript_options_belong_to_transcripts(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "threads", "--db", str(db), "--direction", "in"]) == 2
    assert "for 'export transcript' only" in capsys.readouterr().err
    assert main(["export", "messages", "--db", str(db), "--format", "csv"]) == 0
