"""Everything Qt: the bridge from the sync layer, models, delegates, widgets, dialogs."""
