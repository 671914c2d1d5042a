"""The outbox tests' harness fixture (a served simulator and a synced store), shared."""

from tests.outbox.conftest import h

__all__ = ["h"]
