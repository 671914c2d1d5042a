"""Words the simulated world is made of: names, contact-center conversations, odd bodies.

Lines are `str.format` templates over a per-conversation context (see `conversation_context`),
so one conversation keeps the same amount, order number and appointment time throughout.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

COMPANY = "Northwind"

FIRST_NAMES = (
    "James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer", "Carlos",
    "Aisha", "Wei", "Priya", "Olena", "Mohammed", "Sofia", "Daniel", "Grace", "Kwame", "Hana",
    "Luis", "Emily", "Noah", "Fatima", "Ethan", "Chloe", "Diego", "Yuki", "Samuel", "Amara",
    "Ivan", "Zoe", "Omar", "Lucia", "Thomas", "Mei", "Jorge", "Nadia", "Ryan", "Ana", "Tariq",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Garcia", "Johnson", "Nguyen", "Williams", "Patel", "Brown", "Kim", "Jones",
    "Martinez", "Davis", "Chen", "Lopez", "Okafor", "Wilson", "Kowalski", "Anderson", "Haddad",
    "Thomas", "Rossi", "Taylor", "Cohen", "Moore", "Silva", "Jackson", "Tanaka", "O'Brien",
    "Müller", "Dubois", "Ivanova", "Singh", "Walker", "Hernández", "Young", "Abebe", "King",
)  # fmt: skip
CITIES = (
    ("Seattle", "WA", "98101"),
    ("New York", "NY", "10001"),
    ("Chicago", "IL", "60601"),
    ("Austin", "TX", "78701"),
    ("Miami", "FL", "33101"),
    ("Denver", "CO", "80202"),
    ("Boston", "MA", "02108"),
    ("Phoenix", "AZ", "85001"),
    ("Portland", "OR", "97201"),
)
SERVICE_NAMES = (
    "Billing",
    "Appointments",
    "Deliveries",
    "Collections",
    "Customer Care",
    "Pharmacy",
    "Claims",
    "Renewals",
    "Scheduling",
    "Support",
)
TERM_CODE_CATEGORIES = (
    ("Resolved", ("Issue resolved", "Payment arranged", "Appointment confirmed", "Info provided")),
    ("Follow-up", ("Callback requested", "Escalated to supervisor")),
    ("Closed", ("Wrong number", "Customer opted out", "No response")),
)
LIVEVOX_TEMPLATES = (
    (None, "Hello reply yes for SMS Opt-In"),
    ("appointment_reminder", "Reminder: you have an appointment tomorrow. Reply C to confirm."),
    ("payment_due", f"{COMPANY}: your payment is due soon. Reply HELP for help, STOP to opt out."),
    ("delivery_update", f"{COMPANY}: your order is on its way. Reply STOP to opt out."),
    ("callback", "Sorry we missed you. Reply with a good time to call you back."),
)
ZOHO_TEMPLATES = (
    "Hi, thanks for contacting Northwind support. An agent will reply shortly.",
    "Your verification code is 482913. It expires in 10 minutes.",
    "Reminder: your appointment is tomorrow. Reply C to confirm.",
)

OPT_OUT_WORDS = ("STOP", "Stop", "UNSUBSCRIBE", "stop texting me", "STOP ALL")
_OPT_OUT_KEYS = frozenset(word.upper() for word in OPT_OUT_WORDS)
OPT_OUT_REPLY = (
    f"You have been unsubscribed from {COMPANY} messages and will receive no further texts. "
    "Reply START to resubscribe."
)


def is_opt_out(body: str) -> bool:
    """Whether an inbound body unsubscribes the customer (carriers act on these words)."""
    return body.strip().upper() in _OPT_OUT_KEYS


@dataclass(frozen=True)
class Topic:
    """One kind of conversation: what we send first, what customers say, how agents answer."""

    name: str
    notices: tuple[str, ...]
    customer: tuple[str, ...]
    agent: tuple[str, ...]


TOPICS = (
    Topic(
        "billing",
        (
            "Hi {first}, your {company} statement is ready. Balance due: ${amount}. "
            "Reply HELP for help.",
            "{company}: your bill of ${amount} is due on {day}.",
        ),
        (
            "Why is my bill ${amount} this month?",
            "I was charged twice for the same order",
            "Can you explain the late fee?",
            "I never received my statement",
            "Is autopay turned on for my account?",
            "ok thanks",
            "That doesn't look right to me",
        ),
        (
            "Hi {first}, this is {agent} from {company} billing. Let me look into that for you.",
            "I see a duplicate charge of ${amount}; the refund will post in 3-5 business days.",
            "The late fee was applied on {day}. I've waived it once as a courtesy.",
            "Autopay is active and runs on the {dom} of each month.",
            "Your current balance is ${amount}. Anything else I can help with?",
        ),
    ),
    Topic(
        "appointments",
        (
            "Reminder: your appointment is on {day} at {time}. Reply C to confirm or R to "
            "reschedule.",
            "Hi {first}, it's time to book your annual visit. Reply with a day that suits you.",
        ),
        (
            "C",
            "R",
            "Can I move it to next week?",
            "Running 10 minutes late, sorry!",
            "What should I bring?",
            "Confirmed, see you then",
        ),
        (
            "You're confirmed for {day} at {time}.",
            "We have openings {day} at {time} or {time2}. Which works better?",
            "Please bring a photo ID and your insurance card.",
            "No problem {first}, I'll let the team know.",
        ),
    ),
    Topic(
        "payments",
        (
            "{company}: we received your payment of ${amount}. Thank you!",
            "Your payment of ${amount} is due {day}. Pay securely at "
            "https://pay.example.com/{order}",
        ),
        (
            "I can pay ${amount} on Friday",
            "Can I set up a payment plan?",
            "Payment sent",
            "The payment link isn't working",
            "I already paid this",
        ),
        (
            "Thanks {first}, I've noted a promise to pay ${amount} on {day}.",
            "We can split the balance into 3 payments of ${amount3}.",
            "Sorry about that, here is a new link: https://pay.example.com/{order}",
            "I can confirm we received it; your balance is now $0.00.",
        ),
    ),
    Topic(
        "delivery",
        (
            "Your order #{order} is out for delivery today between {time} and {time2}.",
            "Your package #{order} was delivered. Reply 1 if you did not receive it.",
        ),
        (
            "Where is my package?",
            "Tracking says delivered but it's not here",
            "Can you leave it with my neighbor?",
            "1",
            "Got it, thank you!",
        ),
        (
            "Order #{order} is scheduled to arrive {day}.",
            "I've opened a trace with the carrier; we'll update you within 24 hours.",
            "Noted, I've added the delivery instructions to order #{order}.",
        ),
    ),
    Topic(
        "general",
        ("Hi {first}, thanks for reaching out to {company}. How can we help today?",),
        (
            "Hi, is anyone there?",
            "Who is this?",
            "Please call me back",
            "What are your hours?",
            "Thank you so much",
        ),
        (
            "Hi {first}, this is {agent} with {company}. How can I help?",
            "Our hours are Monday to Friday, 8am to 6pm.",
            "Is there anything else I can help with?",
        ),
    ),
)

_LONG_LINE = "Line {n:03d}: itemised charge for service period, account adjustment and tax. "
ODD_BODIES = (
    "👍 thanks!! 🎉🙏 see you 🔜",
    "مرحبا، أريد تغيير موعد التسليم من فضلك",
    "שלום, מתי המשלוח שלי יגיע?",
    "<b>hi</b> can you see this?",
    "<img src=x onerror=alert(1)>",
    "line one\nline two\n\nline four",
    'Search "exact phrase" AND -minus NEAR(x) star* OR',
    "Zero\u200bwidth and combining e\u0301 and ﬁ ligature",
    "".join(_LONG_LINE.format(n=n) for n in range(125)),
)
"""Bodies that break naive clients: emoji, RTL text, HTML, FTS syntax, ~10 kB of text."""

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "tomorrow", "next Tuesday")
_TIMES = ("9:00 AM", "10:30 AM", "11:15 AM", "1:00 PM", "2:45 PM", "4:00 PM")


def conversation_context(rng: random.Random, first: str, agent: str) -> dict[str, str]:
    """The values one conversation's lines are formatted with."""
    amount = rng.randrange(1_500, 95_000) / 100
    return {
        "first": first,
        "agent": agent,
        "company": COMPANY,
        "amount": f"{amount:,.2f}",
        "amount3": f"{amount / 3:,.2f}",
        "day": rng.choice(_DAYS),
        "time": rng.choice(_TIMES),
        "time2": rng.choice(_TIMES),
        "order": str(rng.randrange(100_000, 999_999)),
        "dom": rng.choice(("1st", "5th", "15th", "20th", "28th")),
    }
