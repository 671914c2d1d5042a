"""Zoho Voice's scheduled SMS under the transcript and the SMS log window, against the
simulator over loopback: what the agent sees matches what Zoho holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from inbox_app.core.models import Direction
from inbox_app.providers.zoho import ZohoVoiceProvider
from inbox_app.simulator import Simulator
from inbox_app.simulator.zoho_model import INCOMING, OUTGOING
from inbox_app.ui.main_window import MainWindow
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.sms_logs import MESSAGE_COLUMN, PAGE_SIZE
from inbox_app.ui.schedule_dialog import ScheduleDialog
from inbox_app.ui.sms_logs import SmsLogDialog
from tests.window.conftest import until
from tests.window.test_window import pick

ZOHO = "Zoho demo"
ODD = '<b>Visit</b> <a href="https://x.example">confirmed</a> — موعدك غدا 📅👍🏽'


async def test_scheduled_sms_show_under_the_transcript_until_sent(
    window: MainWindow, sim: Simulator
) -> None:
    pick(window, ZOHO)
    thread = window.selected_thread()
    assert thread is not None and thread.our_number
    strip = window.conversation.scheduled
    assert strip.isHidden()
    provider = window.service.provider(ZOHO)
    assert isinstance(provider, ZohoVoiceProvider)
    now = datetime.fromtimestamp(sim.world.clock.now(), UTC)
    await provider.schedule_message(
        thread.to_thread(), ODD, "", now + timedelta(hours=1), "Asia/Kolkata"
    )
    await provider.schedule_message(
        thread.to_thread(), "Second reminder", "", now + timedelta(days=2), "America/Chicago"
    )

    window.act_sync.trigger()  # scheduled outside the app: the agent asks to sync now
    await window.service.engine.run_once()
    await until(lambda: len(strip.entries) == 2)
    assert strip.isVisible()
    assert strip.title.text() == "2 scheduled messages, not sent yet"
    (first_when, first_text), (second_when, second_text) = strip.entries
    assert first_text.text() == ODD
    assert first_text.textFormat() == Qt.TextFormat.PlainText
    assert first_when.text().startswith("Scheduled for ")
    assert "(Asia/Kolkata)" in first_when.text()
    assert "(America/Chicago)" in second_when.text() and second_text.text() == "Second reminder"

    sim.world.clock.advance(2 * 3600)  # Zoho sends the first one
    await window.service.engine.run_once()
    await until(lambda: len(strip.entries) == 1)
    assert strip.entries[0][1].text() == "Second reminder"
    model = window.conversation.model
    await until(lambda: model.index(model.rowCount() - 1, 0).data(Roles.BodyRole) == ODD)


async def test_composer_schedules_a_send_in_the_chosen_zone(
    window: MainWindow, sim: Simulator
) -> None:
    pick(window, "LiveVox demo")
    composer = window.conversation.composer
    assert composer.schedule_button.isHidden()  # LiveVox cannot schedule
    pick(window, ZOHO)
    thread = window.selected_thread()
    assert thread is not None
    assert not composer.schedule_button.isHidden()
    composer.editor.setPlainText(ODD)
    assert composer.schedule_button.isEnabled()
    composer.schedule_button.click()
    await until(lambda: window.findChild(ScheduleDialog) is not None)
    dialog = window.findChild(ScheduleDialog)
    assert dialog is not None
    dialog.zone.setCurrentText("Nowhere/Atlantis")
    assert not dialog.ok.isEnabled() and "time zone" in dialog.preview.text()
    dialog.zone.setCurrentText("Asia/Kolkata")
    when = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=3)
    dialog.set_moment(when)
    assert dialog.preview.text().startswith("Zoho sends it on ")
    assert "(Asia/Kolkata)" in dialog.preview.text()
    dialog.ok.click()
    await until(lambda: composer.text() == "")

    await window.service.engine.run_once()  # the drain hands it to Zoho
    (job,) = sim.world.zoho.scheduled()
    assert (job.body, job.time_zone) == (ODD, "Asia/Kolkata")
    strip = window.conversation.scheduled
    await until(lambda: len(strip.entries) == 1)
    when_label, text_label = strip.entries[0]
    assert text_label.text() == ODD and "(Asia/Kolkata)" in when_label.text()


def zoho_truth(sim: Simulator, direction: str | None = None, customer: str = "") -> list[str]:
    """Zoho's log ids newest first, as its logs endpoint would list them."""
    logs = [
        entry
        for conversation in sim.world.zoho.conversation_list()
        for entry in conversation.logs
        if (direction is None or entry.direction == direction)
        and (not customer or conversation.customer == customer)
    ]
    logs.sort(key=lambda e: e.order_key, reverse=True)
    return [e.logid for e in logs]


def shown(dialog: SmsLogDialog) -> list[str]:
    model = dialog.model
    return [model.index(r, 0).data(Roles.IdRole) for r in range(model.rowCount())]


async def open_from_sidebar(window: MainWindow) -> SmsLogDialog:
    account = next(
        window.inboxes.index(r, 0)
        for r in range(window.inboxes.rowCount())
        if window.inboxes.index(r, 0).data(Roles.AccountRole) == ZOHO
    )
    assert window.sms_logs.sidebar_menu(window.inboxes.index(0, 0, account)) is not None
    menu = window.sms_logs.sidebar_menu(account)
    assert menu is not None
    (action,) = menu.actions()
    assert action.text() == "SMS logs…"
    action.trigger()
    menu.deleteLater()
    livevox = next(
        window.inboxes.index(r, 0)
        for r in range(window.inboxes.rowCount())
        if window.inboxes.index(r, 0).data(Roles.AccountRole) != ZOHO
    )
    assert window.sms_logs.sidebar_menu(livevox) is None
    dialog = window.findChild(SmsLogDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


async def test_sms_logs_filter_like_zoho_and_follow_sync(
    window: MainWindow, sim: Simulator
) -> None:
    dialog = await open_from_sidebar(window)
    assert dialog.windowTitle() == f"SMS logs: {ZOHO}"
    everything = zoho_truth(sim)
    assert shown(dialog) == everything[:PAGE_SIZE]
    assert dialog.hint.text().startswith(f"{min(PAGE_SIZE, len(everything))} messages shown")

    dialog.direction.setCurrentText("Outgoing")
    assert shown(dialog) == zoho_truth(sim, OUTGOING)[:PAGE_SIZE]
    dialog.direction.setCurrentText("Incoming")
    assert shown(dialog) == zoho_truth(sim, INCOMING)[:PAGE_SIZE]
    dialog.direction.setCurrentText("In and out")

    conversation = next(c for c in sim.world.zoho.conversation_list() if c.sender)
    customer = conversation.customer  # 11 digits, as an agent might paste it
    dialog.customer.setText(customer)
    await until(lambda: dialog.model.log_filter.customer_number == "+" + customer)  # type: ignore[union-attr]
    assert shown(dialog) == zoho_truth(sim, customer=customer)[:PAGE_SIZE]

    sim.world.zoho.receive(customer, ODD, conversation.sender)
    await window.service.engine.run_once()
    await until(lambda: dialog.model.index(0, MESSAGE_COLUMN).data() == ODD)
    top = dialog.model.index(0, 0)
    assert top.data(Roles.DirectionRole) == Direction.IN
    assert "<b>" not in top.data(Qt.ItemDataRole.ToolTipRole)
    assert shown(dialog) == zoho_truth(sim, customer=customer)[:PAGE_SIZE]

    dialog.customer.setText("not a number")
    dialog.apply_filter()
    assert dialog.model.rowCount() == 0
    assert "digits" in dialog.hint.text()

    dialog.close()
    window.sms_logs.action.trigger()  # the same window again, not a second one
    assert window.findChildren(SmsLogDialog) == [dialog] and dialog.isVisible()
