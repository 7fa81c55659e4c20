import sys

from careapp.cli import main

sys.exit(main())
