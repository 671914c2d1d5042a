"""Zoho Voice rows -> core types, from the documents' own examples and their variants."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from inbox_app.core.models import Direction, ThreadStatus
from inbox_app.providers import zoho_parse as parse
from tests.providers import docs_payloads as docs


def test_document_chatlist_rows_with_masked_numbers_and_empty_sender() -> None:
    rows = json.loads(docs.ZOHO_CHATLIST)["chatlist"]
    au, empty_sender = (parse.parse_conversation(r, "conversations") for r in rows)
    assert au is not None and empty_sender is not None
    assert au.key == "+614XXXXXXXX5|+612XXXXXXXX7"
    assert au.our_number == "+614XXXXXXXX5" and au.customer_number == "+612XXXXXXXX7"
    assert au.customer_name == ""  # "+6XXXXXXXXX7" is a number, not a name
    assert au.preview == "test AUS SMS"
    assert au.last_message_at == datetime.fromtimestamp(1656313040.887, UTC)
    assert au.unread is False and au.status is ThreadStatus.ACTIVE
    assert au.vendor_ref["senderId"] == "+61 4XXXXXXXX5"
    assert empty_sender.key == "|+12XXXXXXXXX0"
    assert empty_sender.our_number == ""


def test_sender_id_name_fallback_and_real_names() -> None:
    row = {
        "customerNumber": "+1 415 416 4061",
        "senderId": "",
        "senderIdName": "+1 (484) 292-0001",
        "customerName": "Josiah",
        "sentTime": "2023-12-08 17:04",
    }
    thread = parse.parse_conversation(row, "conversations")
    assert thread is not None
    assert thread.key == "+14842920001|+14154164061"
    assert thread.customer_name == "Josiah"
    assert thread.last_message_at == datetime(2023, 12, 8, 17, 4, tzinfo=UTC)  # sentTime fallback
    named = parse.parse_conversation({**row, "senderIdName": "SMS TATA US"}, "conversations")
    assert named is not None and named.our_number == ""
    assert parse.parse_conversation({"customerNumber": ""}, "c") is None


def test_fingerprint_changes_with_new_log() -> None:
    row = json.loads(docs.ZOHO_CHATLIST)["chatlist"][0]
    one = parse.parse_conversation(row, "c")
    newer = parse.parse_conversation({**row, "logid": "other", "submittedTime": 1656313099999}, "c")
    assert one and newer and one.fingerprint != newer.fingerprint
    assert one.fingerprint == (parse.parse_conversation(dict(row), "c") or one).fingerprint


def test_document_logs_with_mms_and_string_file_size() -> None:
    rows = json.loads(docs.ZOHO_LOGS)["smsLogQuery"]
    messages = parse.parse_logs(rows, "key", None)
    assert [m.id for m in messages] == [
        "953473b3-0b33-4d4e-a9c8-abf0ae8893c7",
        "bd1ed056-0662-4c1f-8074-10c05aab0b3a",
    ]
    mms, plain = messages
    assert mms.direction is Direction.IN and mms.body == "Take this" and mms.status == "DELIVERED"
    assert mms.attachments[0].id == "6d39bf14-43cb-4cff-8a98-68ab1de26064"
    assert mms.attachments[0].size == 960637
    assert mms.attachments[0].content_type == "image/jpeg"
    assert plain.attachments == ()
    assert mms.thread_key == "key"
    assert mms.at == datetime.fromtimestamp(1702035249.667, UTC)


def test_logs_without_thread_key_derive_it_and_directions_any_casing() -> None:
    rows = [
        {
            "logid": "a",
            "customerNumber": "+1 415 416 4061",
            "senderId": "14842920001",
            "messageType": "outgoing",
            "submittedTime": "1702035249667",
            "statusDescription": "expired",
        },
        {"logid": "a", "customerNumber": "x"},
        {"messageId": "b", "customerNumber": "4154164061", "messageType": "Incoming"},
    ]
    out, undated = parse.parse_logs(rows, "", None)
    assert out.thread_key == "+14842920001|+14154164061"
    assert out.direction is Direction.OUT and out.status_detail == "expired"
    assert undated.direction is Direction.IN and undated.at == out.at


def test_send_examples() -> None:
    for payload in (docs.ZOHO_SEND_V1, docs.ZOHO_SEND_V2):
        result = parse.parse_send(json.loads(payload))
        assert result is not None and result.status == "IN_QUEUE"
    v2 = parse.parse_send(json.loads(docs.ZOHO_SEND_V2))
    assert v2 is not None and v2.message_id == "40318972-ffc8-4448-92ec-2f8494eafaa6"
    assert v2.at == datetime.fromtimestamp(1689851513.187, UTC)
    assert parse.parse_send({"status": "SUCCESS"}) is None


def test_send_v2_mms_meta_number_size_and_extension_guess() -> None:
    meta = json.loads(docs.ZOHO_SEND_V2)["send"]["mmsMeta"][0]
    attachment = parse.parse_attachment(meta)
    assert attachment.size == 5125300 and attachment.content_type == "video/mp4"
    assert attachment.name == "hd1970_preview.mp4"


def test_document_schedule_in_its_zone() -> None:
    row = json.loads(docs.ZOHO_SCHEDULE)["schedule"][0]
    scheduled = parse.parse_scheduled(row)
    # Pacific/Niue is UTC-11.
    assert scheduled.at == datetime(2023, 3, 5, 8, 35, tzinfo=UTC)
    assert scheduled.job_id == "961000000506031" and scheduled.our_number == "+148XXXXXXX30"
    assert scheduled.id == "32712527-db0a-4aa9-840d-d0d3d72f7d0b"
    unknown_zone = parse.parse_scheduled({**row, "timeZone": "Mars/Base"})
    assert unknown_zone.at == datetime(2023, 3, 4, 21, 35, tzinfo=UTC)


def test_schedule_fields() -> None:
    aware = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert parse.schedule_fields(aware, "Asia/Kolkata") == {
        "scheduledTime": "2024-01-01 17:30:00",
        "timeZone": "Asia/Kolkata",
    }
    naive = datetime(2024, 1, 1, 9, 15)
    assert parse.schedule_fields(naive, "Asia/Kolkata")["scheduledTime"] == "2024-01-01 09:15:00"
