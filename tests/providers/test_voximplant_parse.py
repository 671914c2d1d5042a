"""Voximplant history rows and send answers into core types, in every form the
documents allow (numbers as strings or numbers, either date field, text absent)."""

from __future__ import annotations

from datetime import UTC, datetime

from inbox_app.core.models import Direction
from inbox_app.providers import voximplant_parse as parse

PLAIN_OUT = {
    "message_id": 3000001,
    "source_number": "18445550170",
    "destination_number": "14155550123",
    "direction": "OUT",
    "fragments": 2,
    "cost": 0.015,
    "status_id": "6",
    "error_message": "Destination number is unreachable",
    "processed_date": "2026-11-20 09:15:00",
    "text": "Your order shipped",
    "transaction_id": 555,
}
PLAIN_IN = {
    "message_id": "3000002",
    "source_number": 14155550123,
    "destination_number": "18445550170",
    "direction": "in",
    "fragments": 1,
    "status_id": 5,
    "processed_date": "2026-11-20 09:16:30",
    "text": "thanks!",
}
A2P_ROW = {
    "message_id": 3000003,
    "source_number": "18445550172",
    "destination_number": "14155550123",
    "fragments": 1,
    "status_id": "5",
    "processing_date": "2026-11-20 10:00:00",
    "delivery_status": 5,
    "transaction_id": 777,
}


def test_plain_rows_put_our_number_on_our_side_either_way() -> None:
    out = parse.parse_row(PLAIN_OUT, parse.SMS)
    inbound = parse.parse_row(PLAIN_IN, parse.SMS)
    assert out is not None and inbound is not None
    assert (out.id, out.direction, out.our_number, out.customer_number) == (
        "sms:3000001",
        Direction.OUT,
        "+18445550170",
        "+14155550123",
    )
    assert (inbound.our_number, inbound.customer_number) == ("+18445550170", "+14155550123")
    assert out.thread_key == inbound.thread_key == "+18445550170|+14155550123"
    assert out.at == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    assert (out.status, out.error, out.fragments) == (
        "failed",
        "Destination number is unreachable",
        2,
    )
    assert (inbound.direction, inbound.status) == (Direction.IN, "received")


def test_a2p_row_is_outbound_keyed_by_transaction_and_read_by_delivery_status() -> None:
    row = parse.parse_row({**A2P_ROW, "delivery_status": 7}, parse.A2P)
    assert row is not None
    assert (row.id, row.direction, row.status) == ("a2p:777", Direction.OUT, "expired")
    assert row.at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    without_transaction = {k: v for k, v in A2P_ROW.items() if k != "transaction_id"}
    assert parse.parse_row(without_transaction, parse.A2P).id == "a2p:3000003"  # type: ignore[union-attr]


def test_text_not_stored_says_so() -> None:
    (message,) = parse.to_messages(parse.parse_rows([A2P_ROW], parse.A2P))
    assert message.body == parse.TEXT_NOT_STORED
    assert not message.body_stored
    (stored,) = parse.to_messages(parse.parse_rows([PLAIN_OUT], parse.SMS))
    assert stored.body == "Your order shipped" and stored.body_stored


def test_rows_without_id_or_numbers_are_skipped() -> None:
    assert parse.parse_row({**PLAIN_OUT, "message_id": None}, parse.SMS) is None
    assert parse.parse_row({**PLAIN_OUT, "source_number": ""}, parse.SMS) is None
    assert parse.parse_rows([PLAIN_OUT, {"junk": 1}], parse.SMS)[0].id == "sms:3000001"


def test_unknown_direction_reads_as_inbound_and_status_codes_as_names() -> None:
    row = parse.parse_row({**PLAIN_OUT, "direction": "sideways"}, parse.SMS)
    assert row is not None and row.direction is Direction.IN
    assert parse.status_name("2") == "dispatched"
    assert parse.status_name(42) == "status 42"
    assert parse.status_name("DELIVERED") == "delivered"


def test_undated_row_keeps_its_place_instead_of_1970() -> None:
    undated = {**PLAIN_IN, "message_id": 3000009, "processed_date": ""}
    messages = parse.to_messages(parse.parse_rows([PLAIN_IN, PLAIN_OUT, undated], parse.SMS))
    assert [m.id for m in messages] == ["sms:3000001", "sms:3000002", "sms:3000009"]
    assert messages[-1].at == messages[-2].at


def test_thread_from_rows_and_a_fingerprint_that_follows_status_changes() -> None:
    rows = parse.parse_rows([PLAIN_OUT, PLAIN_IN], parse.SMS)
    thread = parse.build_thread(rows, "number:+18445550170", parse.SMS)
    assert (thread.key, thread.preview, thread.vendor_ref) == (
        "+18445550170|+14155550123",
        "thanks!",
        {"route": "sms"},
    )
    assert thread.last_message_at == datetime(2026, 11, 20, 9, 16, 30, tzinfo=UTC)
    redelivered = parse.parse_rows([{**PLAIN_OUT, "status_id": "5"}, PLAIN_IN], parse.SMS)
    assert parse.build_thread(redelivered, "c", parse.SMS).fingerprint != thread.fingerprint
    assert parse.build_thread(list(reversed(rows)), "c", parse.SMS).fingerprint == (
        thread.fingerprint
    )


def test_send_answers() -> None:
    assert parse.parse_sms_send({"result": 1, "message_id": 42, "fragments_count": 3}) == (
        "sms:42",
        3,
    )
    assert parse.parse_sms_send({"result": 1}) is None
    outcome = parse.parse_a2p_send(
        {
            "result": [{"transaction_id": 9, "destination_number": "14155550123"}],
            "failed": [
                {"destination_number": "12", "error_code": 302, "error_description": "Invalid"}
            ],
            "fragments_count": "2",
        }
    )
    assert outcome.sent == {"+14155550123": "a2p:9"}
    assert outcome.failed == [parse.A2PFailure("12", "302", "Invalid")]
    assert outcome.fragments == 2
    single = parse.parse_a2p_send({"result": {"transaction_id": 1, "destination_number": "1"}})
    assert single.sent == {"1": "a2p:1"} and single.failed == []


def test_wire_forms() -> None:
    assert parse.wire_number("+1 415 555 0123") == "14155550123"
    assert parse.wire_number("NORTHWIND") == "NORTHWIND"
    moment = datetime(2026, 11, 20, 9, 15, 7, tzinfo=UTC)
    assert parse.wire_date(moment) == "2026-11-20 09:15:07"
