"""Command line: `sync`, `export`, `simulate` and `secret`. Every failure a user can cause
ends in one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import getpass
import itertools
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from inbox_app import __version__
from inbox_app.cli_errors import CliError
from inbox_app.cli_transcript import (
    export_transcript,
    transcript_filters,
    transcript_filters_used,
)
from inbox_app.config import (
    KEYRING_SERVICE,
    AppConfig,
    ConfigError,
    default_config_path,
    default_db_path,
    load_config,
)
from inbox_app.core.accounts import AccountConfig
from inbox_app.logs import configure_logging
from inbox_app.store import queries
from inbox_app.store.db import open_reader
from inbox_app.store.errors import StoreError
from inbox_app.store.writer import Writer
from inbox_app.sync.changes import AccountStatus, ChangeSet, Progress, SyncPhase
from inbox_app.sync.engine import SyncEngine

EXIT_OK = 0
EXIT_SYNC_FAILED = 1
EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "simulate":
        from inbox_app.simulator.cli import run as run_simulator

        return run_simulator(args_list[1:])
    parser = _parser()
    args = parser.parse_args(args_list)
    try:
        result: int = args.handler(args)
        return result
    except (CliError, ConfigError, StoreError) as exc:
        print(f"inbox-app: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `inbox-app export ... | head`: the reader has all it wanted.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inbox-app",
        description="Agent Inbox. Without a command it opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the window on the built-in simulator, with live traffic and a throwaway"
        " profile (no config needed)",
    )
    parser.add_argument(
        "--supervisor",
        action="store_true",
        help="open the read-only review of every cached conversation, with filters and exports",
    )
    _common(parser, config=True)
    parser.set_defaults(command=None, handler=_cmd_gui)
    sub = parser.add_subparsers(dest="command")

    sync = sub.add_parser("sync", help="sync the configured accounts into the local cache")
    sync.add_argument("--once", action="store_true", help="one full pass, then exit")
    sync.add_argument(
        "--interval",
        type=float,
        help="seconds between passes (default: sync_interval in [settings], else 30)",
    )
    sync.add_argument(
        "--demo",
        action="store_true",
        help="sync the built-in simulator (live traffic) into a throwaway profile and print"
        " each pass, no config needed",
    )
    _common(sync, config=True)
    sync.set_defaults(handler=_cmd_sync)

    export = sub.add_parser(
        "export",
        help="dump the cache as JSON or CSV, or conversation transcripts as CSV or PDF",
    )
    export.add_argument("what", choices=("threads", "messages", "transcript"))
    export.add_argument(
        "--format",
        choices=("json", "csv", "pdf"),
        help="json or csv (threads, messages; default json), csv or pdf (transcript; default csv)",
    )
    export.add_argument("--account", help="only this account")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    transcript_filters(export)
    _common(export, config=False)
    export.set_defaults(handler=_cmd_export)

    sub.add_parser("simulate", help="run the built-in vendor simulator (see simulate --help)")

    secret = sub.add_parser("secret", help="store an account secret in the OS keyring")
    secret.add_argument("account", help="account name as in the config file")
    secret.add_argument("key", help="password, access_token, client_secret, refresh_token, ...")
    secret.set_defaults(handler=_cmd_secret)
    return parser


def _common(parser: argparse.ArgumentParser, *, config: bool) -> None:
    if config:
        parser.add_argument("--config", type=Path, help=f"default: {default_config_path()}")
    parser.add_argument("--db", type=Path, help=f"default: {default_db_path()}")
    parser.add_argument("-v", "--verbose", action="count", default=0)


def _cmd_gui(args: argparse.Namespace) -> int:
    from inbox_app.app import GuiOptions, run_gui

    return run_gui(
        GuiOptions(
            demo=args.demo,
            config_path=args.config,
            db_path=args.db,
            verbosity=args.verbose,
            supervisor=args.supervisor,
        )
    )


def _cmd_sync(args: argparse.Namespace) -> int:
    if args.demo:
        return _sync_demo(args)
    config = load_config(args.config)
    secrets = [s for a in config.accounts for s in a.secrets()]
    configure_logging(args.verbose, secrets)
    if not config.accounts:
        raise CliError(f"{config.path}: no [[accounts]] configured")
    return asyncio.run(
        _sync(
            config,
            args.db or default_db_path(),
            once=args.once,
            interval=args.interval or config.settings.sync_interval,
        )
    )


async def _sync(config: AppConfig, db_path: Path, *, once: bool, interval: float) -> int:
    writer = Writer(db_path)
    engine = SyncEngine(
        config.accounts, writer, on_progress=_ProgressPrinter(sys.stderr), on_status=_print_status
    )
    try:
        if once:
            statuses = await engine.run_once()
            await engine.search_index_caught_up()
            failed = [s for s in statuses.values() if s.phase is not SyncPhase.IDLE]
            for status in failed:
                print(
                    f"inbox-app: error: account '{status.account}': {status.error}", file=sys.stderr
                )
            return EXIT_SYNC_FAILED if failed else EXIT_OK
        await engine.run_forever(interval)
        return EXIT_OK
    finally:
        await engine.aclose()
        writer.close()


def _print_status(status: AccountStatus) -> None:
    if status.phase is SyncPhase.IDLE and status.last_synced is not None:
        print(f"[{status.account}] synced", file=sys.stderr)


class _ProgressPrinter:
    """One line per step change, not per item: readable in a terminal and in a log."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._last: dict[str, str] = {}

    def __call__(self, progress: Progress) -> None:
        if self._last.get(progress.account) == progress.step or progress.step == "done":
            return
        self._last[progress.account] = progress.step
        print(f"[{progress.account}] {progress.step}…", file=self._stream)


def _sync_demo(args: argparse.Namespace) -> int:
    from inbox_app.demo import demo_profile

    configure_logging(args.verbose)
    with demo_profile() as demo:
        print(f"simulator at {demo.simulator_url}, throwaway cache {demo.db_path}", file=sys.stderr)
        return asyncio.run(_demo(demo.accounts, demo.db_path, args.interval or 3.0))


async def _demo(accounts: Sequence[AccountConfig], db_path: Path, interval: float) -> int:
    writer = Writer(db_path)
    conn = open_reader(db_path)

    def summarise(changes: ChangeSet) -> None:
        total = queries.count_threads(conn, changes.account)
        unread = queries.count_threads(conn, changes.account, unread_only=True)
        print(
            f"[{changes.account}] {len(changes.threads)} threads changed,"
            f" {len(changes.messages)} with new messages; inbox now {total} threads,"
            f" {unread} unread",
            file=sys.stderr,
        )

    engine = SyncEngine(accounts, writer, on_change=summarise, on_status=_print_failure)
    try:
        await engine.run_forever(interval)
    finally:
        await engine.aclose()
        conn.close()
        writer.close()
    return EXIT_OK


def _print_failure(status: AccountStatus) -> None:
    if status.error:
        print(f"[{status.account}] {status.phase.value}: {status.error}", file=sys.stderr)


def _cmd_export(args: argparse.Namespace) -> int:
    configure_logging(args.verbose)
    db_path: Path = args.db or default_db_path()
    if not db_path.exists():
        raise CliError(f"{db_path}: no cache yet; run 'inbox-app sync --once' first")
    if args.what == "transcript":
        return export_transcript(args, db_path)
    if args.format == "pdf" or transcript_filters_used(args):
        raise CliError("PDF and the transcript filters are for 'export transcript' only")
    args.format = args.format or "json"
    conn = open_reader(db_path)
    try:
        export = queries.export_threads if args.what == "threads" else queries.export_messages
        # Closed before the connection, also when the reader of a pipe goes away.
        with contextlib.closing(export(conn, args.account)) as rows:
            if args.output:
                with args.output.open("w", encoding="utf-8", newline="") as out:
                    _write_rows(rows, args.format, out)
            else:
                _write_rows(rows, args.format, sys.stdout)
    finally:
        conn.close()
    return EXIT_OK


def _write_rows(rows: Iterable[dict[str, Any]], fmt: str, out: TextIO) -> None:
    """Streams rows so a 200k-message export never sits in memory at once."""
    if fmt == "json":
        out.write("[")
        for index, row in enumerate(rows):
            out.write(",\n" if index else "\n")
            out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n]\n")
        return
    iterator: Iterator[dict[str, Any]] = iter(rows)
    first = next(iterator, None)
    if first is None:
        return
    writer = csv.DictWriter(out, fieldnames=list(first))
    writer.writeheader()
    for row in itertools.chain([first], iterator):
        writer.writerow({k: _csv_value(v) for k, v in row.items()})


def _csv_value(value: object) -> object:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _cmd_secret(args: argparse.Namespace) -> int:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        raise CliError("no keyring support installed") from None
    value = getpass.getpass(f"{args.key} for account '{args.account}': ")
    if not value:
        raise CliError("nothing entered; nothing stored")
    try:
        keyring.set_password(KEYRING_SERVICE, f"{args.account}:{args.key}", value)
    except KeyringError as exc:
        raise CliError(
            f"the OS keyring refused the secret ({exc}); put it in an environment variable"
            f" and name it with {args.key}_env in the config file instead"
        ) from None
    print(f"stored {args.key} for '{args.account}' in the OS keyring", file=sys.stderr)
    return EXIT_OK
