"""Writing a benchmark's figures into bench/RESULTS.md, one section per benchmark.

Each benchmark builds its section as Markdown starting with its own "## Heading" line; this puts it in
place of the section with that heading (or at the end, the first time) and keeps every other one.
"""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(section: str, path: Path = RESULTS) -> None:
    heading = section.lstrip("\n").splitlines()[0]
    if not heading.startswith("## "):
        raise ValueError(f"a results section must start with a '## ' heading, not {heading!r}")
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    body = section.strip("\n") + "\n"
    if pattern.search(text):
        text = pattern.sub(lambda _m: body + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + body
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    print(f"wrote {heading[3:]} to {path}")
