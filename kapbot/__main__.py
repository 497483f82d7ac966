"""``python -m kapbot``: the command line (``kapbot.cli``)."""

import sys

from kapbot.cli import main

sys.exit(main())
