"""Item models over the store's reader connection: ids and short keyed pages, never whole
tables, and minimal change signals so selection and scroll survive live updates."""
