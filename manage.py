#!/usr/bin/env python
"""Same as the ``parcours`` console script."""

from parcours.cli import main

if __name__ == "__main__":
    main()
