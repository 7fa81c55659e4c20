"""Run careapp from a source checkout: python main.py [args]."""

import sys

from careapp.cli import main

if __name__ == "__main__":
    sys.exit(main())
