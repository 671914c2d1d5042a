"""An account as the layers below the config loader see it: every value resolved,
secrets included, so providers never touch files, keyrings or environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from inbox_app.core.models import ProviderKind

SECRET_KEYS = frozenset(
    {"password", "access_token", "client_secret", "refresh_token", "api_key", "private_key"}
)


@dataclass(frozen=True, slots=True)
class AccountConfig:
    name: str
    provider: ProviderKind
    base_url: str
    values: Mapping[str, str] = field(default_factory=dict)

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)

    def secrets(self) -> list[str]:
        """Every secret value, so logs and error texts can be scrubbed of them."""
        return [v for k, v in self.values.items() if k in SECRET_KEYS and v]
