"""`python -m inbox_app` is the same as the `inbox-app` command."""

import sys

from inbox_app.cli import main

sys.exit(main())
