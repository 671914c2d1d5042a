"""One client per vendor, all speaking core types; shared HTTP plumbing in `http`."""
