"""The end of every benchmark: the figures with the machine's state beside them, printed and written.

emit(figures, args.json)   # adds peak_rss_mb and load_average_1m, prints the JSON, writes the file
"""

from __future__ import annotations

import json
import os
import resource
from pathlib import Path
from typing import Any


def emit(figures: dict[str, Any], path: Path | None) -> None:
    """Print `figures` as JSON with this process's peak RSS and the 1-minute load average added (kept
    where the benchmark already set them), and write them to `path` when one is given."""
    figures.setdefault(
        "peak_rss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    )
    figures.setdefault("load_average_1m", round(os.getloadavg()[0], 2))
    text = json.dumps(figures, indent=2)
    print(text)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
