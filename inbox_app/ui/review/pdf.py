"""Transcripts as PDF through Qt's own writer (QPdfWriter), a batch at a time.

Each batch becomes a QTextDocument laid out for the page body and drawn page by page;
its first block is pushed down to where the previous batch ended, so the transcript flows
on without a page break between batches and lines never straddle a page. Every vendor
string goes in through QTextCursor.insertText, which never parses markup: a body of
`<b>hi</b>` prints as those characters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)

from inbox_app.core.models import Direction
from inbox_app.core.phone import display_number
from inbox_app.store.review import TranscriptRow
from inbox_app.store.transcript import PendingFile, attachment_label
from inbox_app.ui.models.text import safe_text

MARGIN_MM = 15.0
FOOTER_PT = 9.0
BODY_PT = 10.0
KEEP_PT = 80.0
_GREY = QColor(90, 90, 90)
_HAIR = 0.5
_CSS_PX_PER_PT = 96 / 72
"""Top margins and line heights are in 96-dpi pixels; the layout scales them to the
writer's dpi."""


class PdfTranscript:
    """A transcript PDF being written to `target` (via a PendingFile, so a cancelled
    export leaves nothing behind). Needs a QGuiApplication (see `gui_for_pdf`)."""

    def __init__(self, target: Path, title: str = "Conversation transcript") -> None:
        self._pending = PendingFile(target)
        self._writer = QPdfWriter(str(self._pending.path))
        self._writer.setTitle(title)
        self._writer.setCreator("Agent Inbox")
        self._writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                QPageLayout.Unit.Millimeter,
            )
        )
        self._painter = QPainter(self._writer)
        self._painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        paint = self._writer.pageLayout().paintRectPixels(self._writer.resolution())
        self._footer_font = QFont()
        self._footer_font.setPointSizeF(FOOTER_PT)
        self._dpi = self._writer.resolution()
        self._footer_height = FOOTER_PT * 2.2 * self._dpi / 72
        self._width = float(paint.width())
        self._page_height = float(paint.height())
        self._body_height = self._page_height - self._footer_height
        self._title = title
        self._page = 1
        self._y = 0.0
        self._thread: tuple[str, str] | None = None
        self._keep = KEEP_PT * self._dpi / 72
        """Room a heading needs below it on a page to start a thread there."""
        self._draw_footer()

    # --- TranscriptSink ------------------------------------------------------------

    def write(self, rows: Sequence[TranscriptRow]) -> None:
        """Each thread's run of rows is its own document, so a heading that would end a
        page (Qt has no keep-with-next) can start the next one instead."""
        start = 0
        for end in range(1, len(rows) + 1):
            if end == len(rows) or _thread_of(rows[end]) != _thread_of(rows[start]):
                self._write_run(rows[start:end])
                start = end

    def _write_run(self, rows: Sequence[TranscriptRow]) -> None:
        starts_thread = _thread_of(rows[0]) != self._thread
        if starts_thread and self._y > 0 and self._body_height - self._y < self._keep:
            self._new_page()
        doc = self._document(rows)
        pages = doc.pageCount()
        for page in range(pages):
            if page:
                self._new_page()
            self._painter.save()
            self._painter.translate(0, -page * self._body_height)
            # Inset by a hair: Qt draws (clipped, yet written to the PDF) a line that only
            # touches the clip, so a line pushed to the next page would be there twice.
            top = page * self._body_height
            doc.drawContents(
                self._painter, QRectF(0, top + _HAIR, self._width, self._body_height - 2 * _HAIR)
            )
            self._painter.restore()
        bottom = doc.documentLayout().blockBoundingRect(doc.lastBlock()).bottom()
        self._y = bottom - (pages - 1) * self._body_height
        if self._y > self._body_height * 0.95:
            self._new_page()

    def finish(self) -> None:
        if self._painter.isActive():
            self._painter.end()
        self._pending.commit()

    def abort(self) -> None:
        if self._painter.isActive():
            self._painter.end()
        self._pending.discard()

    # --- layout --------------------------------------------------------------------

    def _document(self, rows: Sequence[TranscriptRow]) -> QTextDocument:
        doc = QTextDocument()
        doc.setUndoRedoEnabled(False)
        doc.setDocumentMargin(0)
        font = QFont()
        font.setPointSizeF(BODY_PT)
        # No ligatures: "fi" drawn as one glyph reads back (search, copy) as "ﬁ".
        font.setFeature(QFont.Tag("liga"), 0)
        doc.setDefaultFont(font)
        cursor = QTextCursor(doc)
        first = True
        if self._y > 0:
            # Start where the last run ended. Not a top margin: Qt drops the top margin
            # of a block at the top of a page, and this one always is.
            spacer = QTextBlockFormat()
            spacer.setLineHeight(
                self._y * 96 / self._dpi, QTextBlockFormat.LineHeightTypes.FixedHeight.value
            )
            cursor.setBlockFormat(spacer)
            first = False
        for row in rows:
            thread = (row.account, row.thread)
            if thread != self._thread:
                self._thread = thread
                self._heading(cursor, row, first)
                first = False
            self._message(cursor, row, first)
            first = False
        # Laid out once, now: a layout in place while inserting would redo it per insert.
        doc.documentLayout().setPaintDevice(self._writer)
        doc.setPageSize(QSizeF(self._width, self._body_height))
        return doc

    def _block(self, cursor: QTextCursor, first: bool, top_pt: float) -> None:
        """Start a block `top_pt` below the last (the document's first block is there
        already: it only gets its format)."""
        fmt = QTextBlockFormat()
        fmt.setTopMargin(top_pt * _CSS_PX_PER_PT)
        if first:
            cursor.setBlockFormat(fmt)
        else:
            cursor.insertBlock(fmt)

    def _heading(self, cursor: QTextCursor, row: TranscriptRow, first: bool) -> None:
        self._block(cursor, first, 0 if first else 14)
        title = QTextCharFormat()
        title.setFontWeight(QFont.Weight.Bold)
        title.setFontPointSize(BODY_PT * 1.3)
        who = row.customer_name or display_number(row.customer_number) or "Unknown customer"
        cursor.insertText(safe_text(who), title)
        detail = QTextCharFormat()
        detail.setForeground(_GREY)
        facts = [display_number(row.customer_number), row.account, str(row.vendor), row.inbox]
        facts.append(f"thread {row.thread}")
        self._block(cursor, False, 2)
        cursor.insertText(safe_text("  ·  ".join(f for f in facts if f)), detail)

    def _message(self, cursor: QTextCursor, row: TranscriptRow, first: bool) -> None:
        self._block(cursor, first, 6)
        meta = QTextCharFormat()
        meta.setForeground(_GREY)
        meta.setFontWeight(QFont.Weight.Bold)
        who = "Customer" if row.direction is Direction.IN else "Agent"
        when = row.at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
        parts = [who, when]
        if row.status:
            parts.append(row.status)
        cursor.insertText(safe_text("  ·  ".join(parts)), meta)
        body = QTextBlockFormat()
        body.setLeftMargin(10 * self._dpi / 72)  # unlike top margins, in device pixels
        cursor.insertBlock(body, QTextCharFormat())
        cursor.insertText(safe_text(row.body) or "(no text)")
        for attachment in row.attachments:
            cursor.insertBlock(body, QTextCharFormat())
            cursor.insertText(safe_text(f"Attachment: {attachment_label(attachment)}"))

    # --- pages ---------------------------------------------------------------------

    def _new_page(self) -> None:
        self._writer.newPage()
        self._page += 1
        self._y = 0.0
        self._draw_footer()

    def _draw_footer(self) -> None:
        self._painter.save()
        self._painter.setFont(self._footer_font)
        self._painter.setPen(_GREY)
        area = QRectF(0, self._body_height, self._width, self._footer_height)
        flags = Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextSingleLine
        self._painter.drawText(area, flags | Qt.AlignmentFlag.AlignLeft, self._title)
        self._painter.drawText(area, flags | Qt.AlignmentFlag.AlignRight, f"Page {self._page}")
        self._painter.restore()


def _thread_of(row: TranscriptRow) -> tuple[str, str]:
    return row.account, row.thread


@contextmanager
def gui_for_pdf() -> Iterator[None]:
    """A QGuiApplication for fonts and painting when there is none (the command line):
    on the offscreen platform, since a PDF needs no display."""
    if QGuiApplication.instance() is not None:
        yield
        return
    app = QGuiApplication(["inbox-app", "-platform", "offscreen"])
    try:
        yield
    finally:
        # Gone for good, so a later QApplication in the same process can be made.
        app.shutdown()
