"""Walking the pages a signed-in user is shown, breadth-first, the way a person clicking every link
would: used by the checks that every page reads in plain words (test_plain_words.py, through
Django's test client) and reflows at any width (browser/test_reflow.py, in Chromium).

Bounded so a walk stays quick: one page of each shape of address (/people/12/ and /people/31/ are
the same page for these checks) and at most ``limit`` pages read."""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit

# Addresses a walk does not follow: files to download (their own tests read them), the API (its
# contract test reads it), signing out (it would end the walk) and static files.
SKIP = re.compile(r"^/(api/|static/|media/|sign-out/)|\.(csv|pdf|json|xlsx|ods|zip)$")


def walk(
    open_page: Callable[[str], tuple[bool, Iterable[str]]],
    starts: list[str],
    *,
    limit: int,
    per_shape: int = 1,
    host: str = "testserver",
) -> int:
    """From ``starts``, over the same-origin links pages show. ``open_page(address)`` opens one
    address and returns whether it was a page that was read (not a redirect, a refusal or a file)
    and the addresses it leads to (its links, or where it redirects). Returns how many were read."""
    queue: deque[str] = deque(starts)
    seen = set(starts)
    shapes: Counter[str] = Counter()
    read = 0
    while queue and read < limit:
        address = queue.popleft()
        was_read, targets = open_page(address)
        read += was_read
        for href in targets:
            parts = urlsplit(urljoin(f"http://{host}{address}", href))
            if parts.scheme not in ("http", "https") or parts.netloc != host:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen or SKIP.search(parts.path):
                continue
            seen.add(target)
            shape = re.sub(r"\d+", "N", target)
            if shapes[shape] >= per_shape:
                continue
            shapes[shape] += 1
            queue.append(target)
    return read
