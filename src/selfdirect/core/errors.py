"""The errors every app raises and every adapter (page, API, CLI) turns into words for people. They
live at the bottom, in core, so any app can raise them without importing another app."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class ServiceError(Exception):
    """A request that cannot be carried out, with field-level messages for the caller to show."""

    def __init__(self, errors: Mapping[str, list[str]] | str):
        self.errors: dict[str, list[str]] = (
            {"__all__": [errors]} if isinstance(errors, str) else {k: list(v) for k, v in errors.items()}
        )
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in self.errors.items()))


class Conflict(Exception):
    """The request is valid but cannot be applied in the record's current state (HTTP 409)."""


@dataclass
class RowProblem:
    """One problem of one line of an uploaded file."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}" if self.field else f"line {self.line}: {self.message}"


class ImportRefused(Exception):
    """An import refused whole: every problem of every line, and nothing written."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported")
