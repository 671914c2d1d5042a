"""The review's thread list: the agent window's list model and delegate, reading through
`store.review` so every filter of a `ReviewFilter` applies, across accounts and vendors."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QObject

from inbox_app.store import review
from inbox_app.store.review import ReviewFilter
from inbox_app.store.views import ThreadKey, ThreadSummary
from inbox_app.ui.models.thread_list import ThreadListModel


class ReviewThreadModel(ThreadListModel):
    def __init__(self, conn: sqlite3.Connection, parent: QObject | None = None) -> None:
        self._review = ReviewFilter()
        super().__init__(conn, parent)

    @property
    def review_filter(self) -> ReviewFilter:
        return self._review

    def set_review_filter(self, new_filter: ReviewFilter) -> None:
        """Show other threads (a reset, as in the agent's list)."""
        self._review = new_filter
        self.set_filter(self.filter)

    def _make_scope(self) -> ReviewFilter:  # type: ignore[override]
        return self._review

    def _read(
        self,
        *,
        older_than: ThreadKey | None = None,
        down_to: ThreadKey | None = None,
        limit: int,
    ) -> list[ThreadSummary]:
        return review.thread_page(
            self._conn, self._review, older_than=older_than, down_to=down_to, limit=limit
        )
