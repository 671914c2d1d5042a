"""Store errors, so callers can tell a cache problem from a vendor or programming one."""

from __future__ import annotations


class StoreError(Exception):
    """Base class for every error the store raises on purpose."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer version of the app; touching it could lose data."""


class SchemaNotReadyError(StoreError):
    """A reader opened a database the writer has not migrated (or created) yet."""


class UnknownThreadError(StoreError, LookupError):
    """Messages or marks for a thread key the store has never seen: sync must upsert the
    thread first, or the messages would have nowhere to hang."""


class OutboxStateError(StoreError):
    """An outbox transition that the item's current state does not allow."""


class WriterClosedError(StoreError):
    """Work submitted after `Writer.close()`: it would never run."""
