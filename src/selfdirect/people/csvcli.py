"""What every all-or-nothing CSV import command does around its service: read the file, show
a progress bar, and on refusal print each problem as file:line and exit non-zero."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.core.management.base import CommandError, OutputWrapper
from rich.progress import Progress

from .services import ImportRefused

T = TypeVar("T")
Tick = Callable[[int, int], None]


def _size(limit: int) -> str:
    mb = 1024 * 1024
    return f"{limit // mb} MB" if limit % mb == 0 else f"{limit // 1024} KB"


def read_csv_text(path: Path, max_bytes: int | None = None) -> str:
    """The file's text; refused from its size, unread, when it is larger than ``max_bytes``."""
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise CommandError(
                f"{path}: the file is larger than {_size(max_bytes)}: split it into smaller files"
            )
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text; save the spreadsheet as CSV UTF-8") from None


def run_import(
    path: Path,
    label: str,
    stderr: OutputWrapper,
    do_import: Callable[[str, Tick], T],
    max_bytes: int | None = None,
) -> T:
    """Read ``path`` (no larger than ``max_bytes``) and call ``do_import(text, tick)`` under a progress bar."""
    text = read_csv_text(path, max_bytes)
    with Progress(transient=True) as progress:
        task = progress.add_task(label, total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            return do_import(text, tick)
        except ImportRefused as exc:
            for problem in exc.problems:
                stderr.write(f"{path}:{problem}")
            raise CommandError(f"{len(exc.problems)} problem(s) in {path}; nothing was imported") from None
