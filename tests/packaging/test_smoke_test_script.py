"""packaging/smoke_test.py judged against stand-in bundles whose "app" is a shell script
that behaves well or badly, so its verdicts are known without building anything."""

from __future__ import annotations

import importlib.util
import signal
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]

STARTS = """echo "INFO demo: simulator at http://127.0.0.1:1, accounts 'A', 'B', cache /x" >&2
echo "INFO inbox_app.sync.engine: account 'B': synced" >&2
echo "INFO inbox_app.sync.engine: account 'A': synced" >&2
"""
WAITS_FOR_CTRL_C = """trap 'exit 130' INT
while :; do sleep 0.05; done
"""


@pytest.fixture
def smoke(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "smoke_test", ROOT / "packaging" / "smoke_test.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "smoke_test", module)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "STAY_UP_S", 0.3)
    monkeypatch.setattr(module, "STOP_TIMEOUT_S", 5.0)
    return module


def bundle(tmp_path: Path, smoke: ModuleType, script: str) -> Path:
    folder = tmp_path / "dist" / "agent-inbox"
    for name in smoke.BUNDLED:
        (folder / "_internal" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "_internal" / name).touch()
    exe = folder / "inbox-app"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(0o755)
    return exe


def verdict(smoke: ModuleType, exe: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = smoke.main([str(exe), "--timeout", "20"])
    out = capsys.readouterr()
    return code, (out.out + out.err).strip()


def test_an_app_that_syncs_every_account_and_stops_on_ctrl_c_passes(
    smoke: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = verdict(smoke, bundle(tmp_path, smoke, STARTS + WAITS_FOR_CTRL_C), capsys)
    assert code == 0 and said.startswith("smoke test passed: first sync"), said
    assert "account 'A': synced" in (tmp_path / "dist" / "smoke-test.log").read_text()


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        (
            'echo "Traceback (most recent call last):" >&2\necho "  File x" >&2\n'
            'echo "ValueError: boom" >&2\nexit 1\n',
            "the app ended with 1 before syncing: ValueError: boom",
        ),
        (STARTS + "exit 0\n", "the app exited with 0 after syncing"),
        (STARTS + "trap 'exit 0' INT\nwhile :; do sleep 0.05; done\n", "exited with 0 on Ctrl-C"),
        (
            STARTS + "trap 'echo \"Fatal Python error: Aborted\" >&2; exit 130' INT\n"
            "while :; do sleep 0.05; done\n",
            "an error in the log: Fatal Python error: Aborted",
        ),
    ],
    ids=["traceback-at-start", "exits-after-sync", "wrong-exit-code", "fatal-error-at-exit"],
)
def test_an_app_that_misbehaves_fails_with_one_line_saying_how(
    smoke: ModuleType,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    script: str,
    reason: str,
) -> None:
    code, said = verdict(smoke, bundle(tmp_path, smoke, script), capsys)
    assert code == 1 and said.startswith("smoke test failed: ") and "\n" not in said, said
    assert reason in said, said


def test_ctrl_c_reaches_the_app_when_the_test_runs_as_a_background_job(
    smoke: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exe = bundle(tmp_path, smoke, STARTS + WAITS_FOR_CTRL_C)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        code, said = verdict(smoke, exe, capsys)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert code == 0, said


def test_a_bundle_without_the_svg_icon_engine_fails(
    smoke: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exe = bundle(tmp_path, smoke, STARTS + WAITS_FOR_CTRL_C)
    (exe.parent / "_internal" / "PySide6/Qt/plugins/iconengines/libqsvgicon.so").unlink()
    code, said = verdict(smoke, exe, capsys)
    assert code == 1 and "lacks PySide6/Qt/plugins/iconengines/libqsvgicon.so" in said, said
