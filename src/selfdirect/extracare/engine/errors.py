"""One exception for every bad input, so a form, an API or a CLI can show all problems at once.

Commissioners fill in a scheme's figures in one go; telling them about one mistake at a time,
or showing a traceback from deep inside a calculation, wastes their time. Every problem is a
``(field path, message)`` pair, e.g. ``("staffing.night_hours_per_night", "must not be
negative (got -1)")``, so the caller can put each message next to the input it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

Problem = tuple[str, str]


class SchemeInputError(ValueError):
    """Invalid scheme input. ``problems`` lists every ``(field path, message)`` found.

    Construct with one problem, ``SchemeInputError("flats", "must be at least 1")``, or with
    many, ``SchemeInputError(problems=[...])``.
    """

    def __init__(
        self, field: str | None = None, message: str | None = None, *, problems: Iterable[Problem] = ()
    ) -> None:
        collected: list[Problem] = []
        if field is not None or message is not None:
            collected.append((field or "", message or "is invalid"))
        collected.extend(problems)
        if not collected:
            collected.append(("", "is invalid"))
        self.problems: list[Problem] = collected
        super().__init__("; ".join(f"{f}: {m}" if f else m for f, m in collected))

    @property
    def fields(self) -> list[str]:
        """The field paths named, in order, for quick checks in forms and tests."""
        return [f for f, _ in self.problems]

    @classmethod
    def from_pydantic(cls, exc: Any, prefix: str = "") -> SchemeInputError:
        """Turn a pydantic ``ValidationError`` into plain-English ``(path, message)`` pairs."""
        problems: list[Problem] = []
        for err in exc.errors():
            path = join_path(prefix, _loc_to_path(err.get("loc", ())))
            inner = (err.get("ctx") or {}).get("error")
            if isinstance(inner, SchemeInputError):
                # A nested model already explained itself; keep its paths under this one.
                problems.extend((join_path(path, f), m) for f, m in inner.problems)
            else:
                problems.append((path, _message(err)))
        return cls(problems=problems)


def join_path(prefix: str, path: str) -> str:
    """Join field paths: ``join_path("staffing", "day_hours")`` -> ``"staffing.day_hours"``."""
    if not prefix:
        return path
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


def _loc_to_path(loc: Sequence[Any]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = join_path(path, str(part))
    return path


def _message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    got = err.get("input")
    if kind == "greater_than_equal":
        if ctx.get("ge") in (0, "0"):
            return f"must not be negative (got {got})"
        return f"must be at least {ctx.get('ge')} (got {got})"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')} (got {got})"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')} (got {got})"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", "is invalid")))
    return f"{err.get('msg', 'is invalid')} (got {got!r})"
