"""`inbox-app export transcript`: conversation transcripts as CSV or PDF, narrowed by the
same filters as the supervisor review window."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

from inbox_app.cli_errors import CliError
from inbox_app.core.models import Direction, ThreadStatus
from inbox_app.store import review
from inbox_app.store.db import open_reader
from inbox_app.store.review import ReviewFilter
from inbox_app.store.transcript import export_csv, write_all

EXIT_OK = 0
_FILTERS = (
    "agent",
    "inbox",
    "direction",
    "status",
    "since",
    "until",
    "customer",
    "search",
    "thread",
)


def transcript_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("transcript filters (with 'transcript')")
    group.add_argument("--agent", help="threads assigned to this agent (id, login or name)")
    group.add_argument("--inbox", help="threads in this inbox (its name or key)")
    group.add_argument("--direction", choices=("in", "out"), help="only inbound or outbound")
    group.add_argument(
        "--status",
        action="append",
        choices=[s.value for s in ThreadStatus],
        help="thread status (repeat for several; default all)",
    )
    group.add_argument("--since", help="from this local day (YYYY-MM-DD) or ISO 8601 time on")
    group.add_argument("--until", help="through this local day (YYYY-MM-DD) or up to an ISO time")
    group.add_argument("--customer", help="customer numbers containing these digits")
    group.add_argument("--search", help="threads whose messages, name or number match this text")
    group.add_argument("--thread", help="one thread, by its vendor key")


def transcript_filters_used(args: argparse.Namespace) -> bool:
    return any(getattr(args, name) for name in _FILTERS)


def export_transcript(args: argparse.Namespace, db_path: Path) -> int:
    fmt = args.format or "csv"
    if fmt not in ("csv", "pdf"):
        raise CliError("a transcript exports as csv or pdf")
    if fmt == "pdf" and args.output is None:
        raise CliError("a PDF transcript needs a file: -o FILE")
    if args.output is not None and not args.output.parent.is_dir():
        raise CliError(f"{args.output.parent}: no such directory")
    conn = open_reader(db_path)
    try:
        f = _filter(conn, args)
        if fmt == "csv":
            written = export_csv(conn, f, args.output or sys.stdout)
        else:
            written = _export_pdf(conn, f, args.output)
    except OSError as exc:
        raise CliError(f"{args.output}: {exc.strerror or exc}") from None
    finally:
        conn.close()
    if args.output is not None:
        print(f"exported {written} messages to {args.output}", file=sys.stderr)
    return EXIT_OK


def _export_pdf(conn: sqlite3.Connection, f: ReviewFilter, output: Path) -> int:
    from inbox_app.ui.review.pdf import PdfTranscript, gui_for_pdf

    total = review.count_messages(conn, f)
    with gui_for_pdf():
        return write_all(review.transcript_batches(conn, f), PdfTranscript(output), total)


def _filter(conn: sqlite3.Connection, args: argparse.Namespace) -> ReviewFilter:
    inboxes: tuple[tuple[str, str], ...] = ()
    if args.inbox:
        inboxes = review.resolve_inboxes(conn, args.inbox)
        if args.account:
            inboxes = tuple(i for i in inboxes if i[0] == args.account)
        if not inboxes:
            known = sorted({i.name for i in review.list_inboxes(conn)})
            raise CliError(f"no inbox '{args.inbox}' in the cache (known: {', '.join(known)})")
    since = _moment(args.since, "--since", end_of_day=False)
    until = _moment(args.until, "--until", end_of_day=True)
    if since is not None and until is not None and since >= until:
        raise CliError("--since must come before --until")
    return ReviewFilter(
        accounts=(args.account,) if args.account else (),
        inboxes=inboxes,
        agent=args.agent or "",
        direction=Direction(args.direction) if args.direction else None,
        statuses=tuple(ThreadStatus(s) for s in args.status or ()),
        since=since,
        until=until,
        customer=args.customer or "",
        text=args.search or "",
        thread_key=args.thread or "",
    )


def _moment(text: str | None, option: str, *, end_of_day: bool) -> datetime | None:
    """A local day (its start, or with `end_of_day` the start of the next) or an ISO 8601
    time (local if it names no zone)."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        start = datetime.combine(day + timedelta(days=1 if end_of_day else 0), time())
        return start.astimezone()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"{option} {text!r}: expected a day (2024-05-01) or an ISO 8601 time"
            " (2024-05-01T14:30, 2024-05-01T14:30Z)"
        ) from None
    return moment if moment.tzinfo is not None else moment.astimezone()
