"""`python -m csms` is the same as the `csms` console script."""

from csms.cli import main

raise SystemExit(main())
