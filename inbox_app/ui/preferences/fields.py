"""The account form's fields, derived from the config loader's own key tables so the
form and the file can never disagree about what a provider needs."""

from __future__ import annotations

from dataclasses import dataclass

from inbox_app.config import default_values, provider_keys
from inbox_app.core.accounts import SECRET_KEYS
from inbox_app.core.models import ProviderKind

PROVIDER_NAMES = {
    ProviderKind.LIVEVOX: "LiveVox",
    ProviderKind.ZOHO: "Zoho Voice",
    ProviderKind.VOXIMPLANT: "Voximplant",
    ProviderKind.ZOOM: "Zoom Contact Center",
}
PROVIDER_HINTS = {
    ProviderKind.ZOHO: "Give the client secret and the refresh token, or an access token.",
}
_WORDS = {"url": "URL", "id": "ID", "api": "API"}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str
    label: str
    required: bool
    secret: bool
    default: str = ""


def label(key: str) -> str:
    words = [_WORDS.get(w, w) for w in key.split("_")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


def fields_for(provider: ProviderKind) -> list[FieldSpec]:
    """Required before optional; in each, plain settings before secrets."""
    required, optional = provider_keys(provider)
    defaults = default_values(provider)
    specs = [
        FieldSpec(key, label(key), key in required, key in SECRET_KEYS, defaults.get(key, ""))
        for key in (*required, *optional)
    ]
    return sorted(specs, key=lambda f: (not f.required, f.secret))
