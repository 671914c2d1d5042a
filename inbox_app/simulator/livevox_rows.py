"""LiveVox's JSON shapes, field for field as the document's examples print them.

Where the document is loose the simulator picks one form and keeps it:
- thread `direction` is 0 for an outbound last message and 1 for an inbound one;
- `date` and `interactionTimestamp` are epoch ms; `serviceId` is a number, ids are strings;
- `contactInfo.phoneDetails` is a list of {number, wireless, dnc, position};
- `subject` and `details` are "" (SMS has neither);
- channel `unreadCount`/`totalCount` count threads (unread / active) in that inbox;
- history `direction` is the string "1" (inbound) or "2" (outbound), as in the example;
- term codes (undocumented) are `{"termCodeCategories": [{"name", "termCodes": [{"id", "name"}]}]}`.
"""

from __future__ import annotations

from typing import Any

from .livevox_model import INBOUND, THREAD_DIRECTION, Agent, Message, Template, TermCode, Thread
from .livevox_state import LiveVoxState

PERSONAL_SMS = "Personal SMS"


def thread_row(state: LiveVoxState, thread: Thread) -> dict[str, Any]:
    last = thread.last
    contact = thread.contact
    inbound = last.direction == INBOUND
    if thread.owner_agent_id is None:
        channel_id, channel_name = thread.service_id, state.services[thread.service_id].group_name
    else:
        channel_id, channel_name = thread.owner_agent_id, PERSONAL_SMS
    return {
        "threadId": thread.thread_id,
        "channelType": "SMS",
        "channel": "SMS",
        "channelId": str(channel_id),
        "channelName": channel_name,
        "serviceId": thread.service_id,
        "account": contact.account,
        "from": contact.phone if inbound else thread.sms_code,
        "to": thread.sms_code if inbound else contact.phone,
        "objectId": thread.object_id,
        "details": "",
        "direction": THREAD_DIRECTION[last.direction],
        "subject": "",
        "attachmentIds": list(last.attachment_ids),
        "fileSize": last.attachment_size,
        "date": last.date_ms,
        "startTime": thread.created_ms,
        "interactionTimestamp": last.date_ms,
        "status": "READ" if thread.read else "UNREAD",
        "read": thread.read,
        "replied": thread.replied,
        "txnId": last.id,
        "contactInfo": {
            "account": contact.account,
            "originalAccountNumber": contact.original_account,
            "firstName": contact.first_name,
            "lastName": contact.last_name,
            "isActive": True,
            "phoneDetails": [
                {
                    "number": contact.phone,
                    "wireless": contact.wireless,
                    "dnc": contact.dnc,
                    "position": 1,
                }
            ],
            "city": contact.city,
            "state": contact.state,
            "zipCode": contact.zip_code,
            "country": "US",
            "paymentBalance": contact.balance,
            "doNotDial": contact.dnc,
            "doNotDialDaily": False,
            "smsOptInStatus": contact.sms_opt_in,
            "smsInbound": inbound,
            "emailInbound": False,
        },
    }


def message_row(message: Message, now_ms: int) -> dict[str, Any]:
    return {
        "id": message.id,
        "message": message.body,
        "smsCode": message.sms_code,
        "phone": message.phone,
        "date": message.date_ms,
        "status": message.status_at(now_ms),
        "direction": str(message.direction),
        "threadId": message.thread_id,
        "attachmentIds": list(message.attachment_ids),
    }


def channel_list(state: LiveVoxState, agent: Agent) -> list[dict[str, Any]]:
    """Email and voicemail inboxes as in the example, plus the agent's real SMS inboxes."""
    unread, total = state.inbox_counts(agent.agent_id, None)
    rows: list[dict[str, Any]] = [
        _channel(
            "Email",
            agent.agent_id,
            "Personal Email",
            agent.emails_unread,
            agent.emails_unread + agent.emails_read,
            personal=True,
        ),
        _channel("SMS", agent.agent_id, PERSONAL_SMS, unread, total, personal=True),
    ]
    for service_id in agent.service_ids:
        service = state.services[service_id]
        unread, total = state.inbox_counts(None, service_id)
        rows.append(_channel("SMS", service_id, service.group_name, unread, total, personal=False))
    rows.append(
        _channel(
            "Voicemail",
            agent.voicemail_channel_id,
            f"Personal Voicemail {agent.voicemail_channel_id}",
            0,
            0,
            personal=True,
        )
    )
    for service_id in agent.service_ids:
        service = state.services[service_id]
        rows.append(
            _channel(
                "Voicemail",
                service.voicemail_channel_id,
                f"Service {service_id} VM",
                0,
                0,
                personal=False,
            )
        )
    return rows


def _channel(
    channel: str, channel_id: int | str, name: str, unread: int, total: int, *, personal: bool
) -> dict[str, Any]:
    return {
        "channel": channel,
        "channelId": str(channel_id),
        "channelName": name,
        "unreadCount": unread,
        "totalCount": total,
        "personal": personal,
    }


def interaction_counts(state: LiveVoxState, agent: Agent) -> dict[str, int]:
    """Personal-inbox counts; "active" SMS threads are all unresolved ones (read or not)."""
    unread, total = state.inbox_counts(agent.agent_id, None)
    return {
        "countOfEmailInteractionsSent": 0,
        "countOfSMSInteractionsSent": state.sent_count(agent.agent_id),
        "countOfMessageInteractionsSent": 0,
        "countOfUnreadEmailThreadsInPersonalInbox": agent.emails_unread,
        "countOfReadEmailThreadsInPersonalInbox": agent.emails_read,
        "countOfUnreadSMSThreadsInPersonalInbox": unread,
        "countOfUnreadMessageInteractionsinPersonalInbox": 0,
        "countOfReadSMSThreadsInPersonalInbox": total - unread,
        "countOfReadMessageInteractionsinPersonalInbox": 0,
        "countOfChatInteractionsAbandoned": 0,
        "countOfOBWebChatInteractionsSent": 0,
        "countOfIBWebChatInteractionReceived": 0,
        "countOfActiveEmailThreadsInPersonalInbox": agent.emails_unread + agent.emails_read,
        "countOfActiveSMSThreadsInPersonalInbox": total,
        "countOfActiveMessageThreadsinPersonalInbox": 0,
        "countOfActiveWebChatThreadsInPersonalInbox": 0,
    }


def agent_row(agent: Agent) -> dict[str, Any]:
    return {
        "agentId": agent.agent_id,
        "loginId": agent.login_id,
        "name": agent.name,
        "status": agent.status,
    }


def template_row(template: Template) -> dict[str, Any]:
    row: dict[str, Any] = {"id": template.template_id}
    if template.description is not None:
        row["description"] = template.description
    row.update(message=template.message, smsCode=template.sms_code, optInFlag=False)
    return row


def sms_codes(state: LiveVoxState, agent: Agent) -> dict[str, Any]:
    codes = [
        {"code": state.services[s].sms_code, "description": "Long_Code"} for s in agent.service_ids
    ]
    codes.append({"code": state.short_code, "description": "Short_Code"})
    return {"listSmsCodes": codes}


def term_codes(codes: list[TermCode]) -> dict[str, Any]:
    categories: dict[str, list[dict[str, Any]]] = {}
    for code in codes:
        categories.setdefault(code.category, []).append(
            {"id": code.term_code_id, "name": code.name}
        )
    return {
        "termCodeCategories": [
            {"name": name, "termCodes": entries} for name, entries in categories.items()
        ]
    }
