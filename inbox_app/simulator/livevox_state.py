"""LiveVox's behaviour: sessions, inbox rules and every thread and message action.

Everything runs under the world's lock, so the HTTP handlers (event-loop thread) and a
test or live traffic (other threads) always see one consistent state. Methods a test may
call return copies; the handlers use the live objects while holding `lock`.

Refusals raise `LiveVoxError` (codes in livevox_errors.py). A thread that is resolved or
not in one of the caller's inboxes is "not found" to actions.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator

from . import corpus, phones
from .clock import Clock
from .journal import ActionRecord, Journal, SendRecord
from .livevox_errors import (
    BAD_ACCESS_TOKEN,
    FORBIDDEN,
    LOGIN_FAILED,
    NO_ACCESS_TOKEN,
    NOT_FOUND,
    OPTED_OUT,
    LiveVoxError,
    bad_request,
)
from .livevox_model import (
    DELIVERED,
    INBOUND,
    OUTBOUND,
    RECEIVED,
    Agent,
    Contact,
    Message,
    Service,
    Session,
    Template,
    TermCode,
    Thread,
)
from .livevox_seed import LiveVoxSeed
from .livevox_sessions import SessionBook
from .seeding import seeded_uuid

DELIVERY_DELAY_MS = 3_000
"""How long an agent's send shows "SMS MT Queued" before "SMS MT Delivered"."""
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "YES"})


def _snapshot(thread: Thread) -> Thread:
    return dataclasses.replace(
        thread, messages=list(thread.messages), contact=dataclasses.replace(thread.contact)
    )


class LiveVoxState:
    def __init__(
        self,
        seed: LiveVoxSeed,
        *,
        lock: threading.RLock,
        clock: Clock,
        rng: random.Random,
        journal: Journal,
        session_idle_seconds: float,
    ) -> None:
        self.lock = lock
        self.clock = clock
        self.rng = rng
        self.journal = journal
        self.client_name = seed.client_name
        self.client_id = seed.client_id
        self.access_token = seed.access_token
        self.short_code = seed.short_code
        self.services: dict[int, Service] = {s.service_id: s for s in seed.services}
        self.agents: dict[int, Agent] = {a.agent_id: a for a in seed.agents}
        self.default_agent_id = seed.agents[0].agent_id
        self.templates: dict[int, Template] = {t.template_id: t for t in seed.templates}
        self.term_codes = seed.term_codes
        self.threads: dict[str, Thread] = {}
        self.sessions = SessionBook(clock, session_idle_seconds)
        self._by_customer: dict[str, list[Thread]] = defaultdict(list)
        self._by_account: dict[str, list[Message]] = defaultdict(list)
        self._contacts: dict[str, Contact] = {}
        self._sent_by_agent: Counter[int] = Counter()
        self._next_thread_id = seed.next_thread_id
        self._next_message_id = seed.next_message_id
        for thread in seed.threads:
            self._index_thread(thread)
            for message in thread.messages:
                self._index_message(message)

    # -- indexes -------------------------------------------------------------------------

    def _index_thread(self, thread: Thread) -> None:
        self.threads[thread.thread_id] = thread
        key = phones.digits_key(thread.contact.phone)
        self._by_customer[key].append(thread)
        self._contacts.setdefault(key, thread.contact)

    def _index_message(self, message: Message) -> None:
        self._by_account[message.account].append(message)
        if message.direction == OUTBOUND and message.agent_id is not None:
            self._sent_by_agent[message.agent_id] += 1

    # -- sign-in -------------------------------------------------------------------------

    def check_access_token(self, value: str | None) -> None:
        if not value:
            raise LiveVoxError(401, NO_ACCESS_TOKEN, "LV-Access header is required")
        if value != self.access_token:
            raise LiveVoxError(403, BAD_ACCESS_TOKEN, "Invalid access token")

    def login(self, client_name: str, user_name: str, password: str) -> tuple[Session, Agent]:
        with self.lock:
            agent = next(
                (a for a in self.agents.values() if a.login_id.upper() == user_name.upper()), None
            )
            if client_name != self.client_name or agent is None or agent.password != password:
                raise LiveVoxError(401, LOGIN_FAILED, "Invalid client name, user name or password")
            return self.sessions.open(agent.agent_id), agent

    def authenticate(self, session_id: str | None) -> Agent:
        """The agent behind a valid session; using a session keeps it alive."""
        with self.lock:
            return self.agents[self.sessions.use(session_id).agent_id]

    def expire_sessions(self, session_id: str | None = None) -> None:
        """Expire one session, or all of them (as a password change would)."""
        with self.lock:
            self.sessions.expire(session_id)

    # -- inboxes -------------------------------------------------------------------------

    def agent(self, agent_id: int) -> Agent:
        try:
            return self.agents[agent_id]
        except KeyError:
            raise LiveVoxError(404, NOT_FOUND, f"Agent {agent_id} not found") from None

    def _members(self, owner_agent_id: int | None, service_id: int | None) -> Iterator[Thread]:
        for thread in self.threads.values():
            if (
                not thread.resolved
                and thread.owner_agent_id == owner_agent_id
                and (owner_agent_id is not None or thread.service_id == service_id)
            ):
                yield thread

    def inbox(self, owner_agent_id: int | None, service_id: int | None) -> list[Thread]:
        """Active threads of a personal inbox (owner) or a group inbox (service), newest first."""
        with self.lock:
            return sorted(
                self._members(owner_agent_id, service_id), key=lambda t: t.order_key, reverse=True
            )

    def inbox_counts(self, owner_agent_id: int | None, service_id: int | None) -> tuple[int, int]:
        """(unread, total) threads of an inbox, as `inbox` would list them."""
        unread = total = 0
        with self.lock:
            for thread in self._members(owner_agent_id, service_id):
                total += 1
                unread += not thread.read
        return unread, total

    def visible_inbox(self, agent: Agent, personal: bool, channel_id: str) -> list[Thread]:
        """The inbox a thread-list call names, if the caller may see it."""
        if not channel_id.isdigit():
            raise bad_request("channelId must be a number")
        if personal:
            if int(channel_id) != agent.agent_id:
                raise LiveVoxError(403, FORBIDDEN, "Not allowed to read another agent's inbox")
            return self.inbox(agent.agent_id, None)
        if int(channel_id) not in agent.service_ids:
            raise LiveVoxError(403, FORBIDDEN, f"Agent is not in service {channel_id}")
        return self.inbox(None, int(channel_id))

    def sent_count(self, agent_id: int) -> int:
        return self._sent_by_agent[agent_id]

    def _visible(self, agent: Agent, thread: Thread) -> bool:
        if thread.resolved:
            return False
        if thread.owner_agent_id is None:
            return thread.service_id in agent.service_ids
        return thread.owner_agent_id == agent.agent_id

    def _thread_for(self, agent: Agent, thread_id: str | None) -> Thread:
        if not thread_id:
            raise bad_request("threadId is required")
        thread = self.threads.get(thread_id)
        if thread is None or not self._visible(agent, thread):
            raise LiveVoxError(404, NOT_FOUND, f"Thread {thread_id} not found")
        return thread

    def _record(self, kind: str, thread: Thread, by: str, detail: str = "") -> None:
        self.journal.actions.append(
            ActionRecord("livevox", kind, thread.thread_id, by, self.clock.now_ms(), detail)
        )

    # -- thread actions ------------------------------------------------------------------

    def set_read(self, agent: Agent, thread_id: str | None, read: bool) -> None:
        with self.lock:
            thread = self._thread_for(agent, thread_id)
            thread.read = read
            self._record("mark_read" if read else "mark_unread", thread, f"agent:{agent.agent_id}")

    def switch_public(self, agent: Agent, thread_id: str | None) -> None:
        with self.lock:
            thread = self._thread_for(agent, thread_id)
            thread.owner_agent_id = None
            self._record("switch_public", thread, f"agent:{agent.agent_id}")

    def switch_private(self, agent: Agent, thread_id: str | None, target_id: int) -> None:
        with self.lock:
            thread = self._thread_for(agent, thread_id)
            self._move_to(thread, self.agent(target_id))
            self._record("switch_private", thread, f"agent:{agent.agent_id}", str(target_id))

    def transfer(self, agent: Agent, thread_id: str | None, target_id: int) -> Thread:
        with self.lock:
            thread = self._thread_for(agent, thread_id)
            self._move_to(thread, self.agent(target_id))
            self._record("transfer", thread, f"agent:{agent.agent_id}", str(target_id))
            return thread

    def _move_to(self, thread: Thread, target: Agent) -> None:
        if thread.service_id not in target.service_ids:
            raise bad_request(f"Agent {target.agent_id} is not in the thread's service")
        thread.owner_agent_id = target.agent_id

    def transfer_candidates(self, agent: Agent, thread_id: str | None) -> list[Agent]:
        with self.lock:
            thread = self._thread_for(agent, thread_id)
            return [
                a
                for a in self.agents.values()
                if a.agent_id != agent.agent_id and thread.service_id in a.service_ids
            ]

    def resolve(self, agent: Agent, thread_id: str | None, term_code_id: int | None) -> None:
        with self.lock:
            thread = self._thread_for(agent, thread_id)
            codes = {c.term_code_id for c in self.term_codes[thread.service_id]}
            if term_code_id is not None and term_code_id not in codes:
                raise bad_request(f"Unknown termCodeId {term_code_id}")
            thread.resolved = True
            thread.term_code_id = term_code_id
            self._record("resolve", thread, f"agent:{agent.agent_id}", str(term_code_id or ""))

    def supervisor_move(self, thread_id: str, owner_agent_id: int | None) -> None:
        """Someone else (a supervisor, another agent) moves a thread: to a personal inbox,
        or to its service's group inbox when `owner_agent_id` is None."""
        with self.lock:
            thread = self.threads[thread_id]
            if owner_agent_id is None:
                thread.owner_agent_id = None
                self._record("switch_public", thread, "traffic")
            else:
                self._move_to(thread, self.agent(owner_agent_id))
                self._record("transfer", thread, "traffic", str(owner_agent_id))

    def supervisor_resolve(self, thread_id: str) -> None:
        with self.lock:
            thread = self.threads[thread_id]
            thread.resolved = True
            thread.term_code_id = self.term_codes[thread.service_id][0].term_code_id
            self._record("resolve", thread, "traffic", str(thread.term_code_id))

    def term_code_list(self, service_id: int) -> list[TermCode]:
        if service_id not in self.term_codes:
            raise bad_request(f"Unknown serviceId {service_id}")
        return self.term_codes[service_id]

    # -- messages ------------------------------------------------------------------------

    def _service_for_code(self, agent: Agent, code: str) -> Service | None:
        key = phones.digits_key(code)
        for service_id in agent.service_ids:
            if phones.digits_key(self.services[service_id].sms_code) == key:
                return self.services[service_id]
        return None

    def _active_thread(
        self, customer_key: str, sms_code: str, agent: Agent | None
    ) -> Thread | None:
        candidates = [
            t
            for t in self._by_customer.get(customer_key, ())
            if t.sms_code == sms_code
            and not t.resolved
            and (agent is None or self._visible(agent, t))
        ]
        return max(candidates, key=lambda t: t.order_key, default=None)

    def _append(
        self,
        thread: Thread | None,
        direction: int,
        body: str,
        *,
        account: str,
        phone: str,
        sms_code: str,
        agent_id: int | None = None,
        template_id: int | None = None,
    ) -> Message:
        now_ms = self.clock.now_ms()
        if thread is not None and thread.messages:
            now_ms = max(now_ms, thread.last.date_ms)
        self._next_message_id += 1
        outbound = direction == OUTBOUND
        message = Message(
            id=str(self._next_message_id),
            thread_id=thread.thread_id if thread else None,
            account=account,
            body=body,
            direction=direction,
            date_ms=now_ms,
            sms_code=sms_code,
            phone=phone,
            final_status=DELIVERED if outbound else RECEIVED,
            queued_until_ms=now_ms + DELIVERY_DELAY_MS if outbound else 0,
            agent_id=agent_id,
            template_id=template_id,
        )
        if thread is not None:
            thread.messages.append(message)
        self._index_message(message)
        return message

    def _new_thread(self, service: Service, owner: Agent | None, contact: Contact) -> Thread:
        self._next_thread_id += 1
        thread = Thread(
            thread_id=str(self._next_thread_id),
            service_id=service.service_id,
            owner_agent_id=owner.agent_id if owner else None,
            contact=contact,
            sms_code=service.sms_code,
            object_id=seeded_uuid(self.rng),
            created_ms=self.clock.now_ms(),
        )
        self._index_thread(thread)
        return thread

    def _contact_for(self, number: str, account: str | None) -> Contact:
        key = phones.digits_key(number)
        contact = self._contacts.get(key)
        if contact is None:
            first, last = self.rng.choice(corpus.FIRST_NAMES), self.rng.choice(corpus.LAST_NAMES)
            city, state, zip_code = self.rng.choice(corpus.CITIES)
            contact = Contact(
                account=account or str(900_000 + len(self._contacts)),
                original_account=f"ORIG-{account or len(self._contacts)}",
                first_name=first if account else None,
                last_name=last if account else None,
                phone=number,
                wireless=True,
                dnc=False,
                sms_opt_in=True,
                city=city,
                state=state,
                zip_code=zip_code,
                balance=0.0,
            )
            self._contacts[key] = contact
        return contact

    def agent_send(
        self,
        agent: Agent,
        *,
        from_number: str,
        to_number: str,
        message: str,
        template_id: int | None,
        account: str | None,
        thread_id: str | None,
    ) -> Message:
        """Reply on a thread (threadId) or text a number, opening a personal thread if needed."""
        with self.lock:
            if template_id is not None and template_id not in self.templates:
                raise bad_request(f"Unknown templateId {template_id}")
            service = self._service_for_code(agent, from_number)
            if service is None:
                raise bad_request(f"fromNumber {from_number} is not an SMS code of your services")
            customer = phones.digits_key(to_number)
            thread: Thread | None
            if thread_id:
                thread = self._thread_for(agent, thread_id)
                if phones.digits_key(thread.contact.phone) != customer:
                    raise bad_request("toNumber does not match the thread's customer")
            else:
                thread = self._active_thread(customer, service.sms_code, agent)
            contact = thread.contact if thread else self._contact_for(to_number, account)
            if not contact.reachable:
                raise LiveVoxError(400, OPTED_OUT, "Contact has opted out of SMS or is on DNC")
            thread = thread or self._new_thread(service, agent, contact)
            sent = self._append(
                thread,
                OUTBOUND,
                message,
                account=thread.contact.account,
                phone=thread.contact.phone,
                sms_code=thread.sms_code,
                agent_id=agent.agent_id,
                template_id=template_id,
            )
            thread.read = True
            self._journal_send("livevox.agent_send", sent, thread.sms_code, to_number)
            return sent

    def transactional_send(
        self,
        agent: Agent,
        *,
        from_code: str,
        to_number: str,
        message: str | None,
        template_id: int | None,
        account: str,
    ) -> Message:
        """`POST /sms/`: lands on the customer's open thread for that code, if there is one."""
        with self.lock:
            if (message is None) == (template_id is None):
                raise bad_request("body needs exactly one of message and templateId")
            if template_id is not None:
                template = self.templates.get(template_id)
                if template is None:
                    raise bad_request(f"Unknown templateId {template_id}")
                message = template.message
            assert message is not None
            key = phones.digits_key(from_code)
            codes = {phones.digits_key(s.sms_code) for s in self.services.values()}
            if key != self.short_code and key not in codes:
                raise bad_request(f"from {from_code} is not one of the client's SMS codes")
            customer = phones.digits_key(to_number)
            contact = self._contacts.get(customer)
            if contact is not None and not contact.reachable:
                raise LiveVoxError(400, OPTED_OUT, "Contact has opted out of SMS or is on DNC")
            service = self._service_for_code(agent, from_code)
            thread = self._active_thread(customer, service.sms_code, None) if service else None
            sent = self._append(
                thread,
                OUTBOUND,
                message,
                account=account,
                phone=to_number,
                sms_code=from_code,
                agent_id=agent.agent_id,
                template_id=template_id,
            )
            self._journal_send("livevox.transactional_send", sent, from_code, to_number)
            return sent

    def _journal_send(self, endpoint: str, message: Message, sender: str, to: str) -> None:
        self.journal.sends.append(
            SendRecord("livevox", endpoint, message.id, sender, to, message.body, message.date_ms)
        )

    def receive(
        self,
        body: str,
        *,
        thread_id: str | None = None,
        customer: str | None = None,
        sms_code: str | None = None,
    ) -> Message:
        """An inbound SMS: onto a thread, the customer's open thread, or a new group thread.

        "STOP"-like bodies opt the contact out and get the automated confirmation.
        """
        with self.lock:
            if thread_id is not None:
                thread = self.threads.get(thread_id)
                if thread is None or thread.resolved:
                    raise LiveVoxError(404, NOT_FOUND, f"Thread {thread_id} not found or resolved")
            else:
                if not customer:
                    raise bad_request("an inbound message needs a threadId or a customer number")
                code = sms_code or next(iter(self.services.values())).sms_code
                service = next(
                    (s for s in self.services.values() if s.sms_code == phones.digits_key(code)),
                    None,
                )
                if service is None:
                    raise bad_request(f"{code} is not one of the client's long codes")
                key = phones.digits_key(customer)
                found = self._active_thread(key, service.sms_code, None)
                thread = found or self._new_thread(service, None, self._contact_for(customer, None))
            contact = thread.contact
            received = self._append(
                thread,
                INBOUND,
                body,
                account=contact.account,
                phone=contact.phone,
                sms_code=thread.sms_code,
            )
            thread.read = False
            if corpus.is_opt_out(body):
                contact.sms_opt_in = False
                self._append(
                    thread,
                    OUTBOUND,
                    corpus.OPT_OUT_REPLY,
                    account=contact.account,
                    phone=contact.phone,
                    sms_code=thread.sms_code,
                )
            elif body.strip().upper() in OPT_IN_WORDS:
                contact.sms_opt_in = True
            return received

    def history(self, account: str | None, thread_id: str | None) -> list[Message]:
        """Transaction history, newest first, of a thread and/or an account."""
        if not account and not thread_id:
            raise bad_request("account or threadId is required")
        with self.lock:
            if thread_id:
                thread = self.threads.get(thread_id)
                if thread is None:
                    raise LiveVoxError(404, NOT_FOUND, f"Thread {thread_id} not found")
                found = [m for m in thread.messages if not account or m.account == account]
            else:
                found = list(self._by_account.get(account or "", ()))
        found.sort(key=lambda m: m.order_key, reverse=True)
        return found

    # -- for tests: copies, safe to keep ------------------------------------------------

    @property
    def default_agent(self) -> Agent:
        """The agent whose credentials `Simulator.credentials` holds."""
        with self.lock:
            return dataclasses.replace(self.agents[self.default_agent_id])

    def agent_list(self) -> list[Agent]:
        with self.lock:
            return [dataclasses.replace(a) for a in self.agents.values()]

    def personal_inbox(self, agent_id: int) -> list[Thread]:
        """Active threads in an agent's personal inbox, newest first, with their messages."""
        with self.lock:
            return [_snapshot(t) for t in self.inbox(agent_id, None)]

    def group_inbox(self, service_id: int) -> list[Thread]:
        """Active threads in a service's group inbox, newest first, with their messages."""
        with self.lock:
            return [_snapshot(t) for t in self.inbox(None, service_id)]

    def thread(self, thread_id: str) -> Thread:
        """Any thread, resolved ones included."""
        with self.lock:
            return _snapshot(self.threads[thread_id])

    def all_threads(self) -> list[Thread]:
        with self.lock:
            return [_snapshot(t) for t in self.threads.values()]
