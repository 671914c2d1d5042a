"""Zoom Contact Center engagement rows -> threads, from the document's example and variants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from inbox_app.core.models import ThreadStatus
from inbox_app.providers import zoom_parse as parse

DOC_ROW: dict[str, Any] = {
    "direction": "inbound",
    "engagement_id": "<string>",
    "contact_center_number": "<string>",
    "start_time": "<dateTime>",
    "end_time": "<dateTime>",
    "consumer_number": "<string>",
    "consumer_display_name": "<string>",
    "queues": [
        {"queue_id": "<string>", "queue_name": "<string>"},
        {"queue_id": "<string>", "queue_name": "<string>"},
    ],
    "agents": [
        {"user_id": "<string>", "display_name": "<string>"},
        {"user_id": "<string>", "display_name": "<string>"},
    ],
    "country_name": "<string>",
    "sms_types": ["sms", "mms"],
    "total_sent_messages": "<long>",
    "total_received_messages": "<long>",
    "total_sent_files": "<long>",
    "total_received_files": "<long>",
}


def row(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "direction": "inbound",
        "engagement_id": "eng-1",
        "contact_center_number": "+18555550100",
        "start_time": "2026-11-02T10:00:00Z",
        "end_time": "2026-11-02T10:12:20Z",
        "consumer_number": "+1 (415) 555-0123",
        "consumer_display_name": "Maria Lopez",
        "queues": [
            {"queue_id": "q-bill", "queue_name": "Billing"},
            {"queue_id": "q-sales", "queue_name": "Sales"},
        ],
        "agents": [
            {"user_id": "u1", "display_name": "Priya Nair"},
            {"user_id": "u2", "display_name": "Sam Okafor"},
        ],
        "country_name": "United States",
        "sms_types": ["sms", "mms"],
        "total_sent_messages": 2,
        "total_received_messages": "4",
        "total_sent_files": 0,
        "total_received_files": 1,
    }
    return {**base, **changes}


def test_engagement_becomes_a_thread_in_its_first_queue() -> None:
    engagement = parse.parse_engagement(row())
    assert engagement is not None
    thread = engagement.thread
    assert thread.key == "eng-1"
    assert thread.channel_key == "queue:q-bill" and engagement.queue.name == "Billing"
    assert thread.customer_number == "+14155550123" and thread.customer_name == "Maria Lopez"
    assert thread.our_number == "+18555550100"
    assert thread.status is ThreadStatus.ACTIVE and thread.unread is False
    assert thread.last_message_at == datetime(2026, 11, 2, 10, 12, 20, tzinfo=UTC)
    assert engagement.started == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert thread.assigned_agent == "Priya Nair, Sam Okafor"
    assert thread.preview == (
        "Inbound · 4 received, 2 sent · 1 file · Priya Nair, Sam Okafor · Billing → Sales · 12 min"
    )
    ref = thread.vendor_ref
    assert ref["queue_ids"] == "q-bill,q-sales" and ref["agent_ids"] == "u1,u2"
    assert ref["total_received"] == "4" and ref["total_received_files"] == "1"
    assert ref["sms_types"] == "sms,mms" and ref["direction"] == "in"


def test_the_documents_placeholder_row_parses_without_inventing_values() -> None:
    engagement = parse.parse_engagement(DOC_ROW)
    assert engagement is not None
    thread = engagement.thread
    assert thread.key == "<string>"
    assert thread.last_message_at is None
    assert thread.preview.startswith("Inbound · 0 received, 0 sent")


def test_rows_without_an_id_queue_or_agent() -> None:
    assert parse.parse_engagement(row(engagement_id="")) is None
    engagement = parse.parse_engagement(
        row(queues=[], agents=[], end_time=None, direction="OUTBOUND", total_received_files=0)
    )
    assert engagement is not None
    assert engagement.thread.channel_key == "queue:"
    assert engagement.queue.name == parse.NO_QUEUE_NAME
    assert engagement.thread.last_message_at == datetime(2026, 11, 2, 10, tzinfo=UTC)
    assert engagement.thread.preview == "Outbound · 4 received, 2 sent · no agent"


def test_number_as_name_is_dropped_and_offsets_are_read() -> None:
    engagement = parse.parse_engagement(
        row(consumer_display_name="+1 415 555 0123", end_time="2026-11-02T05:12:20-05:00")
    )
    assert engagement is not None
    assert engagement.thread.customer_name == ""
    assert engagement.thread.last_message_at == datetime(2026, 11, 2, 10, 12, 20, tzinfo=UTC)


def test_fingerprint_follows_counts_and_agents_only() -> None:
    def print_of(**changes: Any) -> str:
        engagement = parse.parse_engagement(row(**changes))
        assert engagement is not None
        return engagement.thread.fingerprint

    same = print_of()
    assert print_of(consumer_display_name="Someone else") == same
    assert print_of(total_sent_messages=3) != same
    assert print_of(agents=[{"user_id": "u1", "display_name": "Priya Nair"}]) != same
