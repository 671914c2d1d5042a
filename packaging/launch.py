"""Entry script of the bundle: the same as the `inbox-app` command. It lives here, not
as inbox_app/__main__.py, so the frozen app's import path holds no inbox_app module
under a bare name. The bundle is also the store's helper process (see
inbox_app/store/helper.py), started with its flag; that path imports only the store."""

import sys

if sys.argv[1:2] == ["--store-helper"]:
    from inbox_app.store.helper import main as helper_main

    helper_main(sys.argv[2:])
    sys.exit(0)

from inbox_app.cli import main

sys.exit(main())
