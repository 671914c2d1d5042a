"""No secret ever appears in a log or an error text: a full sync through faults (expired
sessions and tokens, 5xx, broken bodies) by the CLI at -vv, then every action and live
lookup through the service with DEBUG logging, a wrong password, and every error text the
app keeps (outbox reasons, sync errors, account statuses) are searched for every secret:
the configured ones and the session ids and tokens the vendors issued on the way."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from inbox_app.core.models import Attachment
from inbox_app.demo import simulator_accounts
from inbox_app.logs import configure_logging
from inbox_app.providers.registry import create_provider
from inbox_app.simulator import FaultConfig, SimConfig, Simulator, serve_in_thread
from inbox_app.simulator.cli import accounts_toml
from inbox_app.store import queries
from inbox_app.sync import intents
from inbox_app.sync.changes import AccountStatus
from inbox_app.sync.service import InboxService, LookupFailed
from tests.faults.reckoning import LV, ZOHO
from tests.faults.scenarios import FAST

_ROOT = Path(__file__).resolve().parents[2]
FAULTS = FaultConfig(expire=0.1, error_5xx=0.05, malformed=0.05, retry_after_s=0)


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    noisy = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in noisy.items():
        logging.getLogger(name).setLevel(value)


def _issued(sim: Simulator) -> set[str]:
    """Every secret the simulator knows: configured credentials and issued sessions/tokens."""
    values = {v for creds in sim.credentials.values() for k, v in creds.items() if k != "username"}
    values |= set(sim.world.livevox.sessions._sessions)
    values |= set(sim.world.zoho.oauth._tokens)
    values |= set(sim.world.zoom.oauth._tokens)
    # Identifiers, not secrets: they are shown in configs and named in messages.
    values.discard(sim.credentials["zoho"]["client_id"])
    values.discard(sim.credentials["livevox"]["client_name"])
    values.discard(sim.credentials["zoom"]["client_id"])
    values.discard(sim.credentials["zoom"]["account_id"])
    values.discard(sim.credentials["voximplant"]["account_id"])
    return {v for v in values if len(v) >= 6}


def _leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(s[:4] + "…" for s in secrets if s in text)


async def test_no_secret_in_any_log_or_error_text(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], restored_logging: None
) -> None:
    sim = Simulator(SimConfig(seed=5, threads=12, zoho_conversations=6, faults=FAULTS))
    db = tmp_path / "cache.sqlite3"
    with serve_in_thread(sim) as running:
        config = tmp_path / "config.toml"
        config.write_text(accounts_toml(running, sim.credentials), encoding="utf-8")
        cli = [sys.executable, "-m", "inbox_app", "sync", "--once", "-vv", "--config", str(config)]
        texts = []
        done = await asyncio.to_thread(
            subprocess.run, [*cli, "--db", str(db)], capture_output=True, text=True, cwd=_ROOT
        )
        texts.append(done.stderr)
        assert "HTTP Request" in texts[0]  # -vv logs every request
        wrong = config.read_text(encoding="utf-8").replace(
            sim.credentials["livevox"]["password"], "not-the-password-123"
        )
        (tmp_path / "wrong.toml").write_text(wrong, encoding="utf-8")
        done = await asyncio.to_thread(
            subprocess.run,
            [*cli[:-1], str(tmp_path / "wrong.toml"), "--db", str(tmp_path / "other.sqlite3")],
            capture_output=True,
            text=True,
            cwd=_ROOT,
        )
        assert "refused the login" in done.stderr
        texts.append(done.stderr)

        accounts = simulator_accounts(running, sim.credentials)
        configure_logging(2, [s for a in accounts for s in a.secrets()])
        statuses: list[AccountStatus] = []
        service = InboxService(
            accounts,
            db,
            provider_factory=lambda a: create_provider(a, retry=FAST),
            on_status=statuses.append,
        )
        try:
            texts += await _every_action(service, tmp_path)
            await service.engine.run_once()
            sim.faults = FaultConfig()
            await service.engine.run_once()
            texts += [s.error for s in statuses]
            texts += await service.writer.run(_kept_errors)
        finally:
            await service.aclose()
    captured = capfd.readouterr()
    texts += [captured.out, captured.err]
    secrets = _issued(sim)
    assert len(secrets) >= 6
    assert sum(sim.fault_counts.values()) >= 5
    everything = "\n".join(texts)
    # The search saw the calls that carry secrets: logins, token refreshes, a refusal.
    assert "session/login" in everything and "/oauth/v2/token" in everything
    assert _leaks(everything, secrets) == []


async def _every_action(service: InboxService, tmp_path: Path) -> list[str]:
    """Queue every kind of intent and run every live lookup; returns the error texts."""
    rows = await service.writer.run(lambda c: queries.list_threads(c, LV, limit=20))
    threads = [r for r in rows if not (r.opted_out or r.do_not_contact)]
    first, second, third, fourth = threads[:4]
    errors: list[str] = []
    await service.submit(LV, first.key, lambda c: intents.send_message(c, LV, first.key, "Hi", ""))
    await service.submit(LV, first.key, lambda c: intents.set_read(c, LV, first.key, False))
    await service.submit(
        LV, second.key, lambda c: intents.move_to_inbox(c, LV, second.key, personal=False)
    )
    for call in (service.transfer_agents, service.term_codes):
        try:
            await call(LV, third.key)
        except LookupFailed as exc:
            errors.append(str(exc))
    await service.submit(
        LV, third.key, lambda c: intents.transfer(c, LV, third.key, "999999", "Nobody")
    )
    await service.submit(LV, fourth.key, lambda c: intents.resolve(c, LV, fourth.key, None))
    zoho = await service.writer.run(lambda c: queries.list_threads(c, ZOHO, limit=5))
    await service.submit(
        ZOHO, zoho[0].key, lambda c: intents.send_message(c, ZOHO, zoho[0].key, "Hello", "")
    )
    for attachment in (Attachment("no-such-mms", "x.jpg", "image/jpeg", None),):
        try:
            await service.save_attachment(ZOHO, attachment, tmp_path / "downloads")
        except LookupFailed as exc:
            errors.append(str(exc))
    for name in (LV, ZOHO):
        result = await service.engine.drain(name)
        if result is not None and result.stopped_by is not None:
            errors.append(str(result.stopped_by))
    return errors


def _kept_errors(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT last_error FROM outbox WHERE last_error IS NOT NULL"
        " UNION ALL SELECT last_error FROM sync_state WHERE last_error IS NOT NULL"
    ).fetchall()
    return [r[0] for r in rows]
