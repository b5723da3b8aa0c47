"""`python -m bot [webhook|terminal|resources …|gazetteer …|link|card|book]`."""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
