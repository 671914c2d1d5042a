"""The command line's one error type, shared by its modules."""

from __future__ import annotations


class CliError(Exception):
    """A failure worth one line to the user."""
