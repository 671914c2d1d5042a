"""Settings dialog, account form, first-run welcome, the ask-again secret prompt and the
Help menu: everything that lets a user set the app up without touching a file."""
