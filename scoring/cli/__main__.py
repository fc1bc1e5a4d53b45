"""`python -m scoring.cli`: the same as the `smarketing` console script."""

from __future__ import annotations

from scoring.cli import main

main()
