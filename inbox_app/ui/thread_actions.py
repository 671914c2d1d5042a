"""What the toolbar, context menu and composer do: each user action becomes an intent
(an outbox row plus its optimistic effect, one transaction) through the service; the
window shows the effect at once and the drain carries it out. Why an action is not
possible is always said, in the tooltip or the status bar."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths

from inbox_app.core.models import Agent, Attachment, Capability, TermCode, ThreadStatus
from inbox_app.store import queries, writes
from inbox_app.store.effects import IntentRefused
from inbox_app.store.queries import ThreadRow
from inbox_app.sync import intents
from inbox_app.sync.service import InboxService, Intent, LookupFailed
from inbox_app.ui.composer import ComposerContext

if TYPE_CHECKING:
    from inbox_app.ui.main_window import MainWindow

MESSAGE_MS = 10_000

_NEEDS: dict[str, tuple[Capability, str]] = {
    "markRead": (Capability.MARK_READ, "mark conversations read"),
    "markUnread": (Capability.MARK_READ, "mark conversations unread"),
    "toGroup": (Capability.MOVE_INBOX, "move conversations between inboxes"),
    "toPersonal": (Capability.MOVE_INBOX, "move conversations between inboxes"),
    "transfer": (Capability.TRANSFER, "transfer conversations"),
    "resolve": (Capability.RESOLVE, "resolve conversations"),
}


def availability(action: str, thread: ThreadRow | None) -> tuple[bool, str]:
    """(enabled, why not) for a toolbar action on the selected thread."""
    if thread is None:
        return False, "select a conversation first"
    capability, doing = _NEEDS[action]
    if capability not in intents.capabilities(thread.provider):
        return False, f"this vendor doesn't let the app {doing}"
    if thread.status is not ThreadStatus.ACTIVE:
        return False, "the conversation has left the inbox"
    personal = thread.channel_key.startswith("personal:")
    if action == "markRead" and not thread.unread:
        return False, "already read"
    if action == "markUnread" and thread.unread:
        return False, "already unread"
    if action == "toGroup" and not personal:
        return False, "already in a group inbox"
    if action == "toPersonal" and personal:
        return False, "already in your personal inbox"
    return True, ""


async def perform(window: MainWindow, action: str, thread: ThreadRow) -> None:
    account, key = thread.account, thread.key
    if action in ("markRead", "markUnread"):
        read = action == "markRead"
        await _submit(window, thread, lambda c: intents.set_read(c, account, key, read))
    elif action in ("toGroup", "toPersonal"):
        personal = action == "toPersonal"
        await _submit(window, thread, lambda c: intents.move_to_inbox(c, account, key, personal))
    elif action in ("transfer", "resolve"):
        await _choose_and_submit(window, action, thread)


async def _choose_and_submit(window: MainWindow, action: str, thread: ThreadRow) -> None:
    """The dialogs are imported here, when first asked for: the window paints sooner."""
    from inbox_app.ui.dialogs import ChoiceDialog, term_label
    from inbox_app.ui.models.agents import AgentListModel
    from inbox_app.ui.models.simple_list import SimpleListModel

    service = window.service
    account, key = thread.account, thread.key
    if action == "transfer":
        agent_dialog: ChoiceDialog[Agent] = ChoiceDialog(
            "Transfer conversation",
            f"Transfer the conversation with {_who(thread)} to:",
            lambda: service.transfer_agents(account, key),
            AgentListModel(),
            window,
        )
        accepted, agent = await agent_dialog.choose()
        if accepted and agent is not None:
            await _submit(
                window,
                thread,
                lambda c: intents.transfer(c, account, key, agent.id, agent.name or agent.login),
            )
    else:
        code_dialog: ChoiceDialog[TermCode] = ChoiceDialog(
            "Resolve conversation",
            f"Resolve the conversation with {_who(thread)} with the termination code:",
            lambda: _term_codes_or_none(service, account, key),
            SimpleListModel(term_label),
            window,
        )
        accepted, code = await code_dialog.choose()
        if accepted:
            code_id = code.id if code is not None else None
            await _submit(window, thread, lambda c: intents.resolve(c, account, key, code_id))


async def send(
    window: MainWindow, thread: ThreadRow, body: str, sender: str, template_id: str | None
) -> None:
    account, key = thread.account, thread.key
    sender_id = "" if sender == thread.our_number else sender
    if await _submit(
        window,
        thread,
        lambda c: intents.send_message(c, account, key, body, sender_id, template_id),
    ):
        window.conversation.composer.clear_after_send()


async def schedule(window: MainWindow, thread: ThreadRow, body: str, sender: str) -> None:
    """Ask when (and in which zone), then queue the scheduled send."""
    from inbox_app.ui.schedule_dialog import ScheduleDialog, local_zone_name

    chosen = await ScheduleDialog(_who(thread), local_zone_name(), window).ask()
    if chosen is None:
        return
    when, zone = chosen
    account, key = thread.account, thread.key
    sender_id = "" if sender == thread.our_number else sender
    if await _submit(
        window,
        thread,
        lambda c: intents.schedule_message(c, account, key, body, sender_id, when, zone),
    ):
        window.conversation.composer.clear_after_send()


async def settle(window: MainWindow, thread: ThreadRow, outbox_id: int, send_again: bool) -> None:
    """The agent's decision on an action needing attention: queue it again, or give it
    up (its effect rolls back and a message's text returns to the reply box)."""

    def discard(conn: sqlite3.Connection) -> int:
        intents.discard(conn, outbox_id)
        return outbox_id

    intent = (lambda c: intents.retry(c, outbox_id)) if send_again else discard
    if not await _submit(window, thread, intent) or send_again:
        return
    account, key = thread.account, thread.key
    draft = await window.service.writer.run(lambda c: queries.get_draft(c, account, key))
    current = window.selected_thread()
    composer = window.conversation.composer
    if draft and current is not None and current.key == key and not composer.text():
        composer.editor.setPlainText(draft)


async def save_draft(window: MainWindow, thread: ThreadRow, text: str) -> None:
    account, key = thread.account, thread.key
    await window.service.writer.run(lambda c: writes.save_draft(c, account, key, text))


async def save_attachment(window: MainWindow, account: str, attachment: Attachment) -> None:
    """Save to the downloads folder and say where; never opened automatically, since
    a customer's file is untrusted."""
    folder = downloads_folder()
    window.statusBar().showMessage(f"Downloading {attachment.name or 'attachment'}…")
    try:
        path = await window.service.save_attachment(account, attachment, folder)
    except LookupFailed as exc:
        window.statusBar().showMessage(f"Could not download the attachment: {exc}", MESSAGE_MS)
        return
    window.statusBar().showMessage(f"Saved {path.name} to {path.parent}", MESSAGE_MS)


def downloads_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    return Path(base or Path.home()) / "Agent Inbox"


def composer_context(window: MainWindow, thread: ThreadRow | None) -> ComposerContext | None:
    if thread is None:
        return None
    conn = window.conn
    reason = ""
    if Capability.SEND not in intents.capabilities(thread.provider):
        reason = "This vendor's API doesn't let the app send messages."
    elif thread.status is not ThreadStatus.ACTIVE:
        reason = "This conversation has left your inbox; replies are closed."
    elif thread.do_not_contact:
        reason = "Do not contact: this customer must not be texted."
    elif thread.opted_out:
        reason = "This customer opted out of text messages (replied STOP)."
    return ComposerContext(
        our_number=thread.our_number,
        senders=tuple(queries.list_sender_ids(conn, thread.account)),
        templates=tuple(queries.list_templates(conn, thread.account)),
        blocked_reason=reason,
        draft=queries.get_draft(conn, thread.account, thread.key) or "",
        can_schedule=Capability.SCHEDULE in intents.capabilities(thread.provider),
    )


async def _term_codes_or_none(
    service: InboxService, account: str, key: str
) -> list[TermCode | None]:
    """The service's codes, after the choice of none: not every service requires one."""
    return [None, *await service.term_codes(account, key)]


async def _submit(window: MainWindow, thread: ThreadRow, intent: Intent) -> bool:
    try:
        await window.service.submit(thread.account, thread.key, intent)
    except IntentRefused as refusal:
        window.statusBar().showMessage(str(refusal), MESSAGE_MS)
        return False
    return True


def _who(thread: ThreadRow) -> str:
    return thread.customer_name or thread.customer_number or "this customer"
