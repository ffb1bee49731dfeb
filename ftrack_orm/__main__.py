"""``python -m ftrack_orm``: the command line (see :mod:`ftrack_orm.cli`)."""
import sys

from .cli import main

sys.exit(main())
