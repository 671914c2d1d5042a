"""Zoho Voice's JSON shapes, as the document's examples print them.

Numbers are spelled as in the examples: customerNumber "+1 415 555 0123", senderId
"+1 8335550150" in logs and chat rows ("" for a released number) but "+18335550150" in
a send response; customerName falls back to the number. MMS `fileSize` is a string in
some log rows and a number in others, as in the examples; always a number in a send reply.
"""

from __future__ import annotations

from typing import Any

from . import phones
from .zoho_model import STATUS_DESCRIPTIONS, LogEntry, Media, Scheduled, multipart_count
from .zoho_state import ZohoState


def _customer_name(state: ZohoState, entry: LogEntry | Scheduled) -> str:
    conversation = state.conversations.get((entry.sender, entry.customer))
    name = conversation.customer_name if conversation else None
    return name or phones.country_spaced(entry.customer)


def _sender_label(state: ZohoState, sender: str) -> str:
    number = state.numbers.get(sender)
    return number.label if number else ""


def _media_row(media: Media, *, in_log: bool) -> dict[str, Any]:
    size = len(media.data)
    row: dict[str, Any] = {
        "bucketName": media.bucket,
        "objectName": media.object_name,
        "fileName": media.file_name,
        "fileSize": str(size) if in_log and media.size_as_text else size,
        "mmsId": media.mms_id,
    }
    if in_log:
        row["contentType"] = media.content_type
    else:
        row["fileExtn"] = media.extension
    return row


def log_row(state: ZohoState, entry: LogEntry, now_ms: int) -> dict[str, Any]:
    status = entry.status_at(now_ms)
    row: dict[str, Any] = {
        "country": "us",
        "multipartCount": entry.parts,
        "submittedTime": entry.submitted_ms,
        "isBlocked": False,
        "emailId": entry.user.email,
        "customerNumber": phones.spaced(entry.customer),
        "message": entry.body,
        "userName": entry.user.name,
        "customerName": _customer_name(state, entry),
        "zuid": entry.user.zuid,
        "senderId": phones.country_spaced(entry.sender) if entry.sender else "",
        "messageType": entry.direction,
        "isMMS": bool(entry.media),
        "isLongCode": True,
        "sentTime": entry.sent_time,
        "logid": entry.logid,
        "messageId": entry.message_id,
        "zsoid": state.org_id,
        "senderIdCountry": "us",
        "senderIdName": _sender_label(state, entry.sender),
        "status": status,
    }
    if entry.media:
        row["mmsMeta"] = [_media_row(m, in_log=True) for m in entry.media]
    if status in STATUS_DESCRIPTIONS:
        row["statusDescription"] = STATUS_DESCRIPTIONS[status]
    return row


def chat_row(state: ZohoState, entry: LogEntry, now_ms: int) -> dict[str, Any]:
    return {**log_row(state, entry, now_ms), "email": entry.user.email}


def send_row(state: ZohoState, entry: LogEntry, now_ms: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "multipartCount": entry.parts,
        "country": "us",
        "submittedTime": entry.submitted_ms,
        "customerNumber": phones.spaced(entry.customer),
        "message": entry.body,
        "userName": entry.user.name,
        "customerName": _customer_name(state, entry),
        "senderId": phones.e164(entry.sender),
        "messageType": entry.direction,
        "isMMS": bool(entry.media),
        "sentTime": entry.sent_time,
        "logid": entry.logid,
        "email": entry.user.email,
        "status": entry.status_at(now_ms),
    }
    if entry.media:
        row["mmsMeta"] = [_media_row(m, in_log=False) for m in entry.media]
    return row


def schedule_row(state: ZohoState, job: Scheduled) -> dict[str, Any]:
    row: dict[str, Any] = {
        "multipartCount": multipart_count(job.body),
        "country": "us",
        "scheduledTime": job.scheduled_time,
        "timeZone": job.time_zone,
        "customerNumber": phones.spaced(job.customer),
        "message": job.body,
        "userName": job.user.name,
        "customerName": _customer_name(state, job),
        "zuid": job.user.zuid,
        "jobId": job.job_id,
        "senderId": phones.country_spaced(job.sender),
        "messageType": "OUTGOING",
        "countryCode": "us",
        "isLongCode": True,
        "logid": job.logid,
        "zsoid": state.org_id,
        "senderIdCountry": "us",
        "senderIdName": _sender_label(state, job.sender),
        "status": "IN_QUEUE",
    }
    if job.media:
        row["isMMS"] = True
        row["mmsMeta"] = [_media_row(m, in_log=False) for m in job.media]
    return row
