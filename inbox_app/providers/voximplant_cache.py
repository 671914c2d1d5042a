"""The Voximplant history a provider has read, grouped by conversation.

Voximplant has no conversation list: the history is the only source, read once and
then topped up. Rows are kept per (our number, customer) pair and each pair's thread
is built again only when one of its rows changed, so a pass with nothing new costs
no work proportional to the history's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from inbox_app.core.models import Thread
from inbox_app.providers import voximplant_parse as parse
from inbox_app.providers.voximplant_parse import A2P, SMS, HistoryRow


@dataclass(slots=True)
class _Pair:
    our_number: str
    rows: dict[str, HistoryRow] = field(default_factory=dict)
    built: Thread | None = None


class HistoryCache:
    def __init__(self) -> None:
        self._pairs: dict[str, _Pair] = {}
        self._routes: dict[str, str] = {}
        self.newest: dict[str, datetime] = {}
        """The newest row time seen per history ("sms", "a2p")."""
        self.loaded = False

    def add(self, route: str, rows: Iterable[HistoryRow]) -> None:
        """Rows of one history; a row seen before replaces its older reading."""
        for row in rows:
            pair = self._pairs.setdefault(row.thread_key, _Pair(row.our_number))
            if pair.rows.get(row.id) != row:
                pair.rows[row.id] = row
                pair.built = None
            if self._routes.get(row.our_number) != SMS:
                self._routes[row.our_number] = row.route
            if row.at is not None and (route not in self.newest or row.at > self.newest[route]):
                self.newest[route] = row.at

    def routes(self) -> dict[str, str]:
        """Each number of ours and how it sends: "sms" once any plain SMS used it, else
        "a2p" (a SenderID seen only in A2P history)."""
        return dict(self._routes)

    def pair_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for pair in self._pairs.values():
            counts[pair.our_number] = counts.get(pair.our_number, 0) + 1
        return counts

    def threads(self, our_number: str, channel_key: str) -> list[Thread]:
        """The number's conversations, newest first."""
        route = A2P if self._routes.get(our_number) == A2P else SMS
        found: list[Thread] = []
        for pair in list(self._pairs.values()):
            if pair.our_number != our_number:
                continue
            built = pair.built
            if (
                built is None
                or built.channel_key != channel_key
                or built.vendor_ref != {"route": route}
            ):
                built = pair.built = parse.build_thread(
                    list(pair.rows.values()), channel_key, route
                )
            found.append(built)
        found.sort(key=lambda t: (t.last_message_at or parse.EPOCH, t.key), reverse=True)
        return found

    def rows(self, thread_key: str) -> list[HistoryRow]:
        pair = self._pairs.get(thread_key)
        return list(pair.rows.values()) if pair else []
