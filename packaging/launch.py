"""Entry script of the bundle: the same as the `inbox-app` command. It lives here, not
as inbox_app/__main__.py, so the frozen app's import path holds no inbox_app module
under a bare name."""

import sys

from inbox_app.cli import main

sys.exit(main())
