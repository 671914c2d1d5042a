"""User actions as intents: the only way the window changes anything at a vendor.

Each function takes the writer's connection (run it with `Writer.run(fn, durable=True)`,
so the row commits with synchronous=FULL), checks the action is possible, and in that one
transaction queues an outbox row and applies its optimistic effect (see
`store.effects`), returning the outbox id. `OutboxDrain` carries the row out later.

An impossible action raises `IntentRefused` with a sentence for the agent and writes
nothing. What a vendor can do is read from the account's stored provider kind and the
vendors' capability table (`providers.capabilities`, which the clients share), so the
store alone decides and the window needs no live provider to queue an action (it still
greys out what the provider cannot do).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from inbox_app.core.models import Capability, ProviderKind, ThreadStatus
from inbox_app.providers.capabilities import CAPABILITIES
from inbox_app.store import effects, outbox, queries, writes
from inbox_app.store.codec import from_ms, now_ms, to_ms
from inbox_app.store.effects import Change, IntentKind, IntentRefused
from inbox_app.store.outbox import JSONDict, OutboxState
from inbox_app.store.queries import ThreadRow

__all__ = [
    "IntentKind",
    "IntentRefused",
    "PendingAction",
    "capabilities",
    "discard",
    "move_to_inbox",
    "pending_actions",
    "resolve",
    "retry",
    "schedule_message",
    "send_message",
    "set_read",
    "transfer",
]

_VENDOR_NAMES: Mapping[ProviderKind, str] = {
    ProviderKind.LIVEVOX: "LiveVox",
    ProviderKind.ZOHO: "Zoho Voice",
    ProviderKind.VOXIMPLANT: "Voximplant",
    ProviderKind.ZOOM: "Zoom Contact Center",
}


def capabilities(kind: ProviderKind) -> frozenset[Capability]:
    """What the app can do at a vendor; a vendor without a client here can do nothing."""
    return CAPABILITIES.get(kind, frozenset())


def send_message(
    conn: sqlite3.Connection,
    account: str,
    thread_key: str,
    body: str,
    sender: str,
    template_id: str | None = None,
) -> int:
    """Queue a reply. The transcript shows it at once as a `pending` outbound message;
    the thread's preview and time move to it and its draft is cleared. `sender` is a
    sender id of the account ("" for the thread's own number). Surrounding whitespace
    is dropped: no agent means to text a customer a blank line."""
    text = body.strip()
    thread = _active_thread(conn, account, thread_key, Capability.SEND, "send messages")
    if not text:
        raise IntentRefused("There is nothing to send: the message is empty.")
    if thread.do_not_contact:
        raise IntentRefused("This customer is on the do-not-contact list; nothing was sent.")
    if thread.opted_out:
        raise IntentRefused("This customer has opted out of text messages; nothing was sent.")
    if not sender and not thread.our_number and thread.provider is ProviderKind.ZOHO:
        # Zoho Voice refuses a send without a senderId; say so before queueing, not after.
        raise IntentRefused(
            "Choose a number to send from: this conversation doesn't say which one it is on."
        )
    draft = queries.get_draft(conn, account, thread_key)
    change = effects.plan_send(thread, text, sender, draft, now_ms())
    payload = {"body": text, "sender": sender, "template_id": template_id}
    return _queue(conn, thread, IntentKind.SEND, payload, change)


SCHEDULE_LEAD_MS = 2 * 60_000
"""How far ahead a scheduled send must be, so it is still in the future when the
drain hands it to the vendor."""


def schedule_message(
    conn: sqlite3.Connection,
    account: str,
    thread_key: str,
    body: str,
    sender: str,
    when: datetime,
    time_zone: str,
) -> int:
    """Queue a send for the vendor to carry out at `when` (aware), stated to the vendor
    as wall-clock time in the IANA zone `time_zone`. There is no optimistic effect: the
    thread shows the intent as under way, and the drain stores the vendor's scheduled
    message once accepted. The draft is cleared; a refusal gives it back."""
    text = body.strip()
    thread = _active_thread(conn, account, thread_key, Capability.SCHEDULE, "schedule messages")
    if not text:
        raise IntentRefused("There is nothing to schedule: the message is empty.")
    if thread.do_not_contact:
        raise IntentRefused("This customer is on the do-not-contact list; nothing was scheduled.")
    if thread.opted_out:
        raise IntentRefused("This customer has opted out of text messages; nothing was scheduled.")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise IntentRefused(f"'{time_zone}' is not a time zone the app knows.") from None
    if when.tzinfo is None or to_ms(when) < now_ms() + SCHEDULE_LEAD_MS:
        raise IntentRefused("Pick a time at least two minutes from now.")
    payload = {"body": text, "sender": sender, "at": to_ms(when), "time_zone": time_zone}
    item_id = outbox.enqueue(conn, account, thread_key, IntentKind.SCHEDULE, payload, None)
    writes.delete_draft(conn, account, thread_key)
    return item_id


def set_read(conn: sqlite3.Connection, account: str, thread_key: str, read: bool) -> int:
    """Mark the thread read or unread; its channel's unread count follows."""
    thread = _active_thread(
        conn, account, thread_key, Capability.MARK_READ, "mark conversations read or unread"
    )
    return _queue(
        conn, thread, IntentKind.SET_READ, {"read": read}, effects.plan_read(thread, read)
    )


def move_to_inbox(conn: sqlite3.Connection, account: str, thread_key: str, personal: bool) -> int:
    """Move the thread to the agent's personal inbox, or to its service's group inbox.
    The target is a channel sync has stored (the personal one, or the group one whose
    vendor id is the thread's `serviceId`), so the thread never lands in an inbox the
    sidebar does not show."""
    thread = _active_thread(
        conn, account, thread_key, Capability.MOVE_INBOX, "move conversations between inboxes"
    )
    channels = queries.list_channels(conn, account)
    if personal:
        target = next((c for c in channels if c.personal), None)
        if target is None:
            raise IntentRefused("Your personal inbox isn't known yet; try again after the sync.")
    else:
        service_id = thread.vendor_ref.get("serviceId", "")
        target = next(
            (c for c in channels if not c.personal and service_id and c.vendor_id == service_id),
            None,
        )
        if target is None:
            raise IntentRefused("This conversation's group inbox isn't one of your inboxes.")
    if target.key == thread.channel_key:
        raise IntentRefused(f"This conversation is already in {target.name}.")
    vendor_ref = {
        **thread.vendor_ref,
        "channelId": target.vendor_id,
        "personal": "true" if personal else "false",
    }
    change = effects.plan_move(thread, target.key, vendor_ref, target.vendor_id if personal else "")
    return _queue(conn, thread, IntentKind.MOVE, {"personal": personal}, change)


def transfer(
    conn: sqlite3.Connection, account: str, thread_key: str, agent_id: str, agent_name: str
) -> int:
    """Hand the thread to another agent; it leaves our inbox (status `closed`)."""
    thread = _active_thread(
        conn, account, thread_key, Capability.TRANSFER, "transfer conversations"
    )
    if not agent_id.strip():
        raise IntentRefused("Choose an agent to transfer the conversation to.")
    payload = {"agent_id": agent_id, "agent_name": agent_name}
    change = effects.plan_leave(thread, ThreadStatus.CLOSED)
    return _queue(conn, thread, IntentKind.TRANSFER, payload, change)


def resolve(
    conn: sqlite3.Connection, account: str, thread_key: str, term_code_id: str | None
) -> int:
    """Resolve the thread (with a termination code if the service uses them); it
    leaves the inbox (status `resolved`)."""
    thread = _active_thread(conn, account, thread_key, Capability.RESOLVE, "resolve conversations")
    change = effects.plan_leave(thread, ThreadStatus.RESOLVED)
    return _queue(conn, thread, IntentKind.RESOLVE, {"term_code_id": term_code_id}, change)


def _active_thread(
    conn: sqlite3.Connection, account: str, thread_key: str, capability: Capability, doing: str
) -> ThreadRow:
    thread = queries.get_thread(conn, account, thread_key)
    if thread is None:
        raise IntentRefused("This conversation isn't in the inbox any more.")
    if capability not in capabilities(thread.provider):
        name = _VENDOR_NAMES.get(thread.provider, thread.provider.value)
        raise IntentRefused(f"{name} doesn't let this app {doing}.")
    if thread.status is not ThreadStatus.ACTIVE:
        raise IntentRefused("This conversation has left your inbox (resolved or moved elsewhere).")
    return thread


def _queue(
    conn: sqlite3.Connection, thread: ThreadRow, kind: IntentKind, payload: JSONDict, change: Change
) -> int:
    item_id = outbox.enqueue(conn, thread.account, thread.key, kind, payload, change.to_json())
    effects.apply_effect(conn, item_id, thread.account, thread.key, change)
    return item_id


def retry(conn: sqlite3.Connection, outbox_id: int) -> int:
    """Queue again an intent that needs attention, once the agent has looked and decided
    it must go out (a send whose outcome the vendor's history could not settle is then
    sent as it is: the agent's call, not the app's). Its effect is still shown."""
    item = _needing_attention(conn, outbox_id)
    outbox.requeue(conn, item.id)
    return item.id


def discard(conn: sqlite3.Connection, outbox_id: int) -> set[str]:
    """Give up an intent that needs attention: it fails with that reason and its effect
    is rolled back (a send's text returns as the draft). Returns the channel keys whose
    counts moved back."""
    item = _needing_attention(conn, outbox_id)
    return effects.undo_effect(conn, outbox.fail(conn, item.id, "Discarded; nothing more is done."))


def _needing_attention(conn: sqlite3.Connection, outbox_id: int) -> outbox.OutboxItem:
    item = outbox.get(conn, outbox_id)
    if item is None or item.state is not OutboxState.NEEDS_ATTENTION:
        raise IntentRefused("This action no longer needs a decision.")
    return item


# --- for the window ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingAction:
    """What the window shows on a thread: its intent still under way (queued, in flight,
    needing attention) or the one that just failed, with the reason why."""

    account: str
    thread_key: str
    outbox_id: int
    kind: IntentKind
    state: OutboxState
    last_error: str | None
    updated_at: datetime


def pending_actions(
    conn: sqlite3.Connection, account: str | None = None, limit: int = 1000
) -> list[PendingAction]:
    """One entry per thread with something to show, by account and thread key: the
    thread's newest intent unless it is done, except that an intent needing attention
    always shows, since it holds back everything queued after it. A failure shows
    until the agent's next action on that thread supersedes it."""
    rows = conn.execute(
        "SELECT account, thread_key, id, kind, state, last_error, updated_at FROM ("
        " SELECT *, row_number() OVER (PARTITION BY account, thread_key"
        "  ORDER BY state = 'needs_attention' DESC, id DESC) AS rank"
        " FROM outbox WHERE ?1 IS NULL OR account = ?1)"
        " WHERE rank = 1 AND state != 'done' ORDER BY account, thread_key LIMIT ?2",
        (account, limit),
    ).fetchall()
    return [
        PendingAction(
            account=r[0],
            thread_key=r[1],
            outbox_id=r[2],
            kind=IntentKind(r[3]),
            state=OutboxState(r[4]),
            last_error=r[5],
            updated_at=from_ms(r[6]),
        )
        for r in rows
    ]
