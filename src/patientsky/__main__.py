"""
``python -m patientsky``: the ``patientsky`` command.
"""

import sys

from patientsky.cli import main

if __name__ == "__main__":
    sys.exit(main())
