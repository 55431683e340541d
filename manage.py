#!/usr/bin/env python
from pomoc.cli import main

if __name__ == "__main__":
    main()
