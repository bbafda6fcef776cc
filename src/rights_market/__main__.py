"""``python -m rights_market`` is the ``rights-market`` command."""

import sys

from .cli import main

sys.exit(main())
