"""What each vendor's client can do, kept apart from the clients themselves: the window
greys out actions and queues intents from this table before (and without) importing any
client, whose modules pull in the whole network stack."""

from __future__ import annotations

from collections.abc import Mapping

from inbox_app.core.models import Capability, ProviderKind

CAPABILITIES: Mapping[ProviderKind, frozenset[Capability]] = {
    ProviderKind.LIVEVOX: frozenset(Capability) - {Capability.SCHEDULE},
    ProviderKind.ZOHO: frozenset({Capability.SEND, Capability.SCHEDULE}),
    ProviderKind.VOXIMPLANT: frozenset({Capability.SEND}),
    ProviderKind.ZOOM: frozenset(),
}
