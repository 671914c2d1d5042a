"""Unexpected exceptions end in the log and a dialog, never in a dead window: qasync
routes exceptions from asyncSlot handlers to sys.excepthook and from tasks to the
loop's exception handler, and PySide6 would otherwise just print them."""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from types import TracebackType
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("inbox_app.unexpected")

_open_boxes: list[QMessageBox] = []


def show_unexpected(exc: BaseException) -> None:
    """Log with the traceback; show the agent one sentence and the details on demand."""
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    if QApplication.instance() is None or len(_open_boxes) >= 3:
        return
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Something went wrong",
        "Agent Inbox hit an unexpected error. Your messages and actions are safe; "
        "the details are in the log.",
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDetailedText("".join(traceback.format_exception(exc)))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _open_boxes.append(box)
    box.finished.connect(lambda _r: _open_boxes.remove(box))
    box.open()


def install_exception_hooks(loop: asyncio.AbstractEventLoop) -> None:
    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        show_unexpected(exc.with_traceback(tb))

    def loop_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            show_unexpected(exc)
        else:
            log.error("event loop: %s", context.get("message", context))

    sys.excepthook = excepthook
    loop.set_exception_handler(loop_handler)
