"""A small two-account, two-vendor cache for the review and transcript tests. (A uniquely
named module: `conftest` is ambiguous.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from store_helpers import ACCOUNT, BASE_TIME, make_message, make_thread

from inbox_app.core.models import Agent, Attachment, Channel, Direction, ProviderKind, ThreadStatus
from inbox_app.store import writes

ZOHO = "zed"
DAY = timedelta(days=1)
HTML_BODY = "sure <b>ok</b> &amp; <script>x</script>"
FORMULA_BODY = '=HYPERLINK("http://evil","click")'


def build(write: Callable[..., Any]) -> None:
    """acme (LiveVox): t1 in the group inbox, t2 assigned to agent ag7 and resolved;
    zed (Zoho): z1, closed. Messages on days 0 to 5 after BASE_TIME."""
    write(writes.ensure_account, ZOHO, ProviderKind.ZOHO)
    write(
        writes.replace_channels,
        ACCOUNT,
        [
            Channel("group", "Group - Billing", "SMS", False, 0, 1, "96970"),
            Channel("personal", "Personal SMS", "SMS", True, 0, 1, "ag7"),
        ],
    )
    write(writes.replace_agents, ACCOUNT, [Agent("ag7", "ghopper", "Grace Hopper", "READY")])
    write(
        writes.upsert_threads,
        ACCOUNT,
        [
            make_thread("t1", customer_name="Ada Lovelace", customer_number="+14155550123"),
            make_thread(
                "t2",
                channel_key="personal",
                customer_name="Bob Stone",
                customer_number="+12125550199",
                assigned_agent="ag7",
                status=ThreadStatus.RESOLVED,
            ),
        ],
    )
    write(
        writes.upsert_threads,
        ZOHO,
        [
            make_thread(
                "z1",
                channel_key="conversations",
                customer_name="Cy Twain",
                customer_number="+14155559999",
                status=ThreadStatus.CLOSED,
            )
        ],
    )
    at = BASE_TIME
    write(
        writes.upsert_messages,
        ACCOUNT,
        "t1",
        [
            make_message("m1", "t1", body="hello, a refund please", at=at),
            make_message(
                "m2",
                "t1",
                body=HTML_BODY,
                at=at + DAY,
                direction=Direction.OUT,
                attachments=(Attachment("a1", "receipt.pdf", "application/pdf", 1200),),
            ),
        ],
    )
    write(
        writes.upsert_messages,
        ACCOUNT,
        "t2",
        [
            make_message("m3", "t2", body="where is my order", at=at + 2 * DAY),
            make_message(
                "m4",
                "t2",
                body="shipped today",
                at=at + 2 * DAY + timedelta(hours=1),
                direction=Direction.OUT,
            ),
        ],
    )
    write(
        writes.upsert_messages,
        ZOHO,
        "z1",
        [
            make_message("z-1", "z1", body=FORMULA_BODY, at=at + 3 * DAY, direction=Direction.OUT),
            make_message("z-2", "z1", body='AND NEAR -x "quote', at=at + 5 * DAY),
        ],
    )
