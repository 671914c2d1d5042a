"""Filling the account form the way a user does."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

from inbox_app.ui.preferences.account_form import AccountForm


def fill_form(form: AccountForm, provider: str, name: str, values: Mapping[str, str]) -> None:
    form.provider.setCurrentIndex(form.provider.findData(provider))
    form.name.setText(name)
    for key, value in values.items():
        form.inputs[key].setText(value)


def save(form: AccountForm) -> None:
    form.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def livevox_values(url: str, credentials: Mapping[str, str]) -> dict[str, str]:
    return {"base_url": url, **credentials}


def visible(kind: type[QWidget]) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
