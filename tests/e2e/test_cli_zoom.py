"""`inbox-app sync --once` with the Zoom Contact Center account of the simulator's
config snippet: its engagements land in SQLite as threads filed by queue, and
`inbox-app export` gives them back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inbox_app.cli import main
from inbox_app.core.phone import normalize_number
from inbox_app.simulator import Simulator

ZOOM = "Zoom demo"
HORIZON_MS = 90 * 86_400_000


def zoom_export(capsys: pytest.CaptureFixture[str], db: Path, what: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["export", what, "--format", "json", "--db", str(db), "--account", ZOOM]) == 0
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return rows


def sync_once(config_file: Path, db: Path) -> int:
    return main(["sync", "--once", "--config", str(config_file), "--db", str(db)])


def test_sync_once_stores_zoom_engagements_as_threads(
    sim: Simulator, config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "inbox.sqlite3"
    assert sync_once(config_file, db) == 0
    assert f"[{ZOOM}] synced" in capsys.readouterr().err

    zoom = sim.world.zoom
    since = sim.world.clock.now_ms() - HORIZON_MS
    truth = {e.engagement_id: e for e in zoom.engagements if e.start_ms >= since}
    threads = {str(t["id"]): t for t in zoom_export(capsys, db, "threads")}
    assert threads.keys() == truth.keys()
    for key, engagement in truth.items():
        thread = threads[key]
        assert thread["provider"] == "zoom" and thread["status"] == "active"
        assert thread["channel"] == f"queue:{engagement.queues[0].queue_id}"
        assert thread["customer_number"] == normalize_number(engagement.consumer_number)
        assert thread["assigned_agent"] == ", ".join(a.display_name for a in engagement.agents)
        assert f"{engagement.received} received, {engagement.sent} sent" in str(thread["preview"])
    assert zoom_export(capsys, db, "messages") == []  # the vendor keeps no message text

    before = {e.engagement_id for e in zoom.engagements}
    for _ in range(10):
        sim.world.tick()
    new = {e.engagement_id for e in zoom.engagements} - before
    assert new
    assert sync_once(config_file, db) == 0
    after = {str(t["id"]) for t in zoom_export(capsys, db, "threads")}
    assert after == truth.keys() | new
