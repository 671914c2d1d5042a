"""LiveVox rows -> core types, from the document's own examples and every variant it shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from inbox_app.core.models import Channel, Direction
from inbox_app.providers import livevox_parse as parse
from tests.providers import docs_payloads as docs

GROUP = Channel("group:SMS:94874", "Group - Service 94874", "SMS", False, 1, 3, "94874")
PERSONAL = Channel("personal:SMS:645836", "Personal SMS", "SMS", True, 0, 1, "645836")


def test_document_channel_list_has_no_sms_channel() -> None:
    rows = parse.rows(json.loads(docs.LV_CHANNELS))
    assert rows is not None and len(rows) == 6
    assert parse.parse_channels(rows) == []


def test_sms_channels_any_casing_and_types() -> None:
    rows = [
        {
            "channel": "SMS",
            "channelId": "645836",
            "channelName": "Personal SMS",
            "unreadCount": 1,
            "totalCount": 3,
            "personal": True,
        },
        {
            "channelType": "sms",
            "channelId": 94874,
            "unreadCount": "2",
            "totalCount": 5.0,
            "personal": "false",
        },
        {"channel": "Email", "channelId": "1"},
        {"channel": "SMS"},
    ]
    personal, group = parse.parse_channels(rows)
    assert personal == Channel("personal:SMS:645836", "Personal SMS", "SMS", True, 1, 3, "645836")
    assert group == Channel("group:SMS:94874", "Group SMS 94874", "SMS", False, 2, 5, "94874")


def test_document_thread_rows() -> None:
    rows = parse.rows(json.loads(docs.LV_THREADS))
    assert rows is not None
    threads = [parse.parse_thread(r, GROUP) for r in rows]
    first = threads[0]
    assert first is not None
    assert [t.key for t in threads if t] == ["56061444434", "56047165976", "56047127816"]
    assert first.customer_number == "+14154164061"
    assert first.our_number == ""
    assert first.customer_account == "1213"
    assert first.unread is False
    assert first.last_message_at is None
    assert first.customer_name == "" and not first.opted_out and not first.do_not_contact
    assert first.vendor_ref == {
        "threadId": "56061444434",
        "serviceId": "94874",
        "channelId": "94874",
        "account": "1213",
        "personal": "false",
    }
    assert first.channel_key == GROUP.key
    assert first.fingerprint


def test_inbound_thread_with_contact_info_and_numeric_ids() -> None:
    row = {
        "threadId": 56061444434,
        "read": False,
        "direction": "1",
        "from": "1 (415) 416-4061",
        "to": "13345094836",
        "date": "2022-10-20T10:02:33Z",
        "status": "unread",
        "contactInfo": {
            "account": "77",
            "firstName": "Kavita",
            "lastName": "Rao",
            "phoneDetails": [
                {"number": "14155550000", "dnc": False},
                {"number": "14154164061", "dnc": True},
            ],
            "smsOptInStatus": False,
        },
    }
    thread = parse.parse_thread(row, PERSONAL)
    assert thread is not None
    assert thread.key == "56061444434"
    assert thread.customer_number == "+14154164061"
    assert thread.our_number == "+13345094836"
    assert thread.customer_name == "Kavita Rao"
    assert thread.unread is True
    assert thread.do_not_contact is True
    assert thread.opted_out is True
    assert thread.customer_account == "77"
    assert thread.last_message_at == datetime(2022, 10, 20, 10, 2, 33, tzinfo=UTC)
    assert thread.assigned_agent == "645836"
    assert thread.vendor_ref["serviceId"] == ""  # personal row without serviceId


def test_phone_details_object_do_not_dial_and_absent_opt_in() -> None:
    row = {
        "threadId": "9",
        "direction": 2,
        "from": "13345094836",
        "interactionTimestamp": 1666263753000,
        "contactInfo": {
            "phoneDetails": {"number": "+1 415 416 4061", "dnc": False},
            "doNotDialDaily": "true",
        },
    }
    thread = parse.parse_thread(row, GROUP)
    assert thread is not None
    assert thread.customer_number == "+14154164061"  # from phoneDetails: no `to`
    assert thread.our_number == "+13345094836"
    assert thread.do_not_contact is True
    assert thread.opted_out is False
    assert thread.last_message_at == datetime.fromtimestamp(1666263753, UTC)


def test_status_unread_without_read_flag_and_missing_thread_id() -> None:
    thread = parse.parse_thread({"threadId": "1", "status": "UNREAD", "to": "4154164061"}, GROUP)
    assert thread is not None and thread.unread
    assert thread.customer_number == "+14154164061"
    assert parse.parse_thread({"to": "4154164061"}, GROUP) is None


def test_fingerprint_ignores_read_but_sees_new_message() -> None:
    base = {
        "threadId": "1",
        "read": True,
        "to": "14154164061",
        "date": 1666263753000,
        "direction": 2,
    }
    one = parse.parse_thread(base, GROUP)
    read_toggled = parse.parse_thread({**base, "read": False}, GROUP)
    newer = parse.parse_thread({**base, "date": 1666263999000}, GROUP)
    replied = parse.parse_thread({**base, "replied": True}, GROUP)
    assert one and read_toggled and newer and replied
    assert one.fingerprint == read_toggled.fingerprint
    assert one.unread != read_toggled.unread
    assert len({one.fingerprint, newer.fingerprint, replied.fingerprint}) == 3


def test_document_history_oldest_first_with_string_directions() -> None:
    rows = parse.rows(json.loads(docs.LV_HISTORY))
    assert rows is not None
    messages = parse.parse_history(rows, "56061444434", None)
    assert [m.id for m in messages][:2] == ["56061451206", "56061451207"]
    assert messages[-1].id in ("56061451355", "56061451356")
    assert [m.at for m in messages] == sorted(m.at for m in messages)
    okay = next(m for m in messages if m.body == "Okay")
    assert okay.direction is Direction.IN and okay.status == "Operator Transfer"
    sent = next(m for m in messages if m.id == "56061451356")
    assert sent.direction is Direction.OUT
    assert sent.our_number == "+13345094836" and sent.customer_number == "+14154164061"
    assert sent.at == datetime.fromtimestamp(1666263753, UTC)
    assert all(m.thread_key == "56061444434" for m in messages)


def test_history_variants_dedupe_and_undated_rows() -> None:
    newest_first = [
        {
            "id": 3,
            "message": "c",
            "direction": 2,
            "date": "2022-10-20 10:00:00",
            "status": "delivered",
            "attachmentIds": [11, "12"],
            "threadId": 77,
        },
        {"id": "2", "message": "b", "status": "SMS MO Received"},
        {"id": "2", "message": "b", "status": "SMS MO Received"},
        {
            "id": "1",
            "message": "a",
            "direction": "0",
            "status": "SMS MT Delivered",
            "date": "1666250000",
        },
        {"message": "no id"},
    ]
    messages = parse.parse_history(newest_first, "t", None)
    assert [m.id for m in messages] == ["1", "2", "3"]
    first, middle, last = messages
    assert first.direction is Direction.OUT  # from "MT" in the status
    assert middle.direction is Direction.IN  # "MO", no direction field
    assert middle.at == first.at  # undated row takes its older neighbour's time
    assert last.thread_key == "77"
    assert [a.id for a in last.attachments] == ["11", "12"]


def test_templates_codes_agents() -> None:
    templates = parse.parse_templates(parse.rows(json.loads(docs.LV_TEMPLATES), "templates") or [])
    assert [(t.id, t.name, t.body, t.sender) for t in templates] == [
        ("75870", "Hello reply yes for SMS Opt-In", "Hello reply yes for SMS Opt-In", "53063"),
        ("75959", "sms_blast", "APItest", "53063"),
    ]
    codes = parse.parse_sender_ids(parse.rows(json.loads(docs.LV_SMS_CODES), "listSmsCodes") or [])
    assert [(c.code, c.description) for c in codes] == [("+14159174458", "Long_Code")]
    agents = parse.parse_agents(parse.rows(json.loads(docs.LV_TRANSFER_AGENTS)) or [])
    assert agents[0].id == "645835" and agents[0].login == "KAVYA"
    assert agents[0].name == "kavya livevox" and agents[0].status == "NOTREADY"
    assert len(agents) == 4


def test_term_code_shapes() -> None:
    nested = {"termCodeCategories": [{"name": "Sales", "termCodes": [{"id": 1, "name": "Sold"}]}]}
    flat = {"termCodes": [{"id": "2", "name": "No answer"}]}
    bare = [
        {"id": 3, "name": "Other"},
        {"name": "Cat", "termCodes": [{"termCodeId": 4, "description": "X"}]},
    ]
    assert [(t.id, t.name, t.category) for t in parse.parse_term_codes(nested)] == [
        ("1", "Sold", "Sales")
    ]
    assert [(t.id, t.name, t.category) for t in parse.parse_term_codes(flat)] == [
        ("2", "No answer", "")
    ]
    assert [(t.id, t.name, t.category) for t in parse.parse_term_codes(bare)] == [
        ("3", "Other", ""),
        ("4", "X", "Cat"),
    ]


def test_rows_shapes() -> None:
    assert parse.rows(None) == []
    assert parse.rows({"templates": None}, "templates") == []
    assert parse.rows({"other": []}, "templates") is None
    assert parse.rows("text") is None


def test_wire_number() -> None:
    assert parse.wire_number("+13345094836") == "13345094836"
    assert parse.wire_number("53063") == "53063"
    assert parse.wire_number("+1 4XXX") == "+1 4XXX"
