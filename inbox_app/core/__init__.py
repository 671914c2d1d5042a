"""Plain types and pure functions shared by every layer; nothing here does I/O."""
