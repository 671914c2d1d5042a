"""The simulator's truth in the shape of the cache's export, so an end-to-end test can
compare what a user would get out of `inbox-app export` with what the vendor holds."""

from __future__ import annotations

from inbox_app.core.phone import normalize_number
from inbox_app.providers.voximplant_parse import TEXT_NOT_STORED
from inbox_app.simulator import Simulator

IN, OUT = "in", "out"


def livevox_threads(sim: Simulator) -> dict[str, dict[str, tuple[str, str]]]:
    """Active threads the default agent can see: thread id -> {message id: (dir, body)}."""
    lv = sim.world.livevox
    agent = lv.default_agent
    threads = lv.personal_inbox(agent.agent_id)
    for service_id in agent.service_ids:
        threads += lv.group_inbox(service_id)
    return {
        t.thread_id: {m.id: (IN if m.direction == 1 else OUT, m.body) for m in t.messages}
        for t in threads
    }


def zoho_threads(sim: Simulator) -> dict[str, dict[str, tuple[str, str]]]:
    """Conversations keyed as (our number | customer number), E.164."""
    return {
        f"{normalize_number(c.sender)}|{normalize_number(c.customer)}": {
            log.logid: (IN if log.direction.upper().startswith("IN") else OUT, log.body)
            for log in c.logs
        }
        for c in sim.world.zoho.conversation_list()
    }


def voximplant_threads(sim: Simulator) -> dict[str, dict[str, tuple[str, str]]]:
    """Number pairs keyed as (our number | customer number), E.164; a body Voximplant
    did not store reads as the placeholder the product shows."""
    return {
        f"{normalize_number(ours)}|{normalize_number(customer)}": {
            (f"a2p:{r.transaction_id}" if r.kind == "a2p" else f"sms:{r.message_id}"): (
                r.direction.lower(),
                r.text if r.text is not None else TEXT_NOT_STORED,
            )
            for r in records
        }
        for (ours, customer), records in sim.world.voximplant.pairs().items()
    }


def exported(
    threads: list[dict[str, object]], messages: list[dict[str, object]], account: str
) -> dict[str, dict[str, tuple[str, str]]]:
    """The same shape from `export threads` + `export messages` JSON."""
    result: dict[str, dict[str, tuple[str, str]]] = {
        str(t["id"]): {} for t in threads if t["account"] == account and t["status"] == "active"
    }
    for m in messages:
        if m["account"] == account and m["thread_id"] in result:
            result[str(m["thread_id"])][str(m["id"])] = (str(m["direction"]), str(m["body"]))
    return result
