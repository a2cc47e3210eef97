"""Entry point of ``python -m qa_analytics``."""

import sys

from .cli import main

sys.exit(main())
