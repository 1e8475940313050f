"""``python -m simulators`` runs the csms-sim CLI."""

from simulators.cli import main

raise SystemExit(main())
