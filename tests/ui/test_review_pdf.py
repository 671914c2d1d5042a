"""PDF transcripts through Qt's writer, read back with pypdf: vendor text prints
literally (markup included), long transcripts flow over numbered pages without losing a
line, and a cancelled export leaves no file."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest

from inbox_app.store import review
from inbox_app.store.review import ReviewFilter
from inbox_app.store.transcript import ExportCancelled, write_all
from inbox_app.ui.review.pdf import PdfTranscript


def pdf_pages(path: Path) -> list[str]:
    """Each page's text with whitespace runs made single spaces (the writer places words,
    and pypdf's spacing between them varies)."""
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages]


def assert_lines_flow_down(path: Path) -> None:
    """On every page each line is drawn below the one before: a batch or thread that
    started again at the top of a page would overprint it."""
    for number, page in enumerate(pypdf.PdfReader(path).pages, 1):
        tops: list[float] = []

        def visit(text: str, _cm: object, tm: list[float], *_rest: object) -> None:
            if text.strip():
                tops.append(tm[5])  # noqa: B023

        page.extract_text(visitor_text=visit)
        body = tops[2:]  # the footer (title, page number) is drawn first
        assert body == sorted(body), f"page {number}"  # (runs of one line share a top)


def export_pdf(ui_store, f: ReviewFilter, target: Path, progress=None, batch: int = 40) -> int:
    total = review.count_messages(ui_store.reader, f)
    return write_all(
        review.transcript_batches(ui_store.reader, f, batch_size=batch),
        PdfTranscript(target, "Test transcript"),
        total,
        progress,
    )


def test_vendor_markup_prints_as_typed(ui_store, qapp, tmp_path: Path) -> None:
    account, key = ui_store.ODD
    target = tmp_path / "odd.pdf"
    written = export_pdf(ui_store, ReviewFilter(accounts=(account,), thread_key=key), target)
    assert written == len(ui_store.ODD_BODIES) + 1
    text = " ".join(pdf_pages(target))
    for name in ("html", "img", "emoji"):
        for word in ui_store.ODD_BODIES[name].split():
            if word.isascii():
                assert word in text, (name, word)
    assert "<b>bold?</b>" in text and "<img src=x onerror=alert(1)>" in text
    assert "Attachment: photo <1>.jpg" in text
    assert "Test transcript" in text and "Page 1" in text
    assert account in text and "thread odd" in text


def test_long_transcript_flows_over_pages_without_losing_a_line(
    ui_store, qapp, tmp_path: Path
) -> None:
    account, key = ui_store.BIG
    target = tmp_path / "big.pdf"
    # The newest 150 of the thread's messages (pypdf reads Qt's PDFs slowly).
    since = ui_store.NOW - timedelta(minutes=150)
    f = ReviewFilter(accounts=(account,), thread_key=key, since=since)
    assert export_pdf(ui_store, f, target) == 150
    pages = pdf_pages(target)
    assert len(pages) > 4
    for n, page in enumerate(pages, 1):
        assert page.count(f"Page {n}") == 1
    numbers = [int(m) for m in re.findall(r"message number (\d+)", " ".join(pages))]
    assert numbers == list(range(351, 501)), "every message once, in order"
    assert_lines_flow_down(target)
    # Batches (of 40) continue on the page the last one ended on: no page but the last
    # is left half empty.
    per_page = [page.count("message number") for page in pages]
    assert min(per_page[:-1]) >= max(per_page) * 0.75, per_page


def test_several_threads_each_under_a_heading(ui_store, qapp, tmp_path: Path) -> None:
    target = tmp_path / "set.pdf"
    export_pdf(ui_store, ReviewFilter(since=ui_store.NOW - timedelta(minutes=6)), target)
    text = " ".join(pdf_pages(target))
    assert "thread big" in text and "thread odd" in text
    assert text.index("thread big") < text.index("message number 500")
    assert text.index("thread odd") < text.index("see attached")
    assert_lines_flow_down(target)


def test_cancel_leaves_no_file(ui_store, qapp, tmp_path: Path) -> None:
    account, key = ui_store.BIG
    target = tmp_path / "out" / "big.pdf"
    target.parent.mkdir()
    with pytest.raises(ExportCancelled):
        export_pdf(
            ui_store,
            ReviewFilter(accounts=(account,), thread_key=key),
            target,
            lambda done, total: done < 200,
        )
    assert list(target.parent.iterdir()) == []
