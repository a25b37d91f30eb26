"""The one way a policy file becomes YAML data, for every kind of policy (allocation, plans, ledger).

A policy comes from people outside the code: a commissioner's upload, an API client, a file on disk.
Before anything is parsed into objects the text is checked, so that a small hostile file cannot keep a
worker busy or fill its memory:

- no more than :data:`MAX_BYTES` (checked on a file's size before it is read);
- UTF-8 text (a Latin-1 file is refused, not stored with replacement characters);
- no anchors (``&name``) or aliases (``*name``): a policy writes each value out, so nested aliases
  (a "billion laughs" file) have nothing to expand;
- collections nested no more than :data:`MAX_DEPTH` deep (the composer below is recursive);
- every date a real date (``2027-02-30`` is a problem with a line, not a crash).

The check reads the parser's event stream, which is built without recursion and without expanding
anything, and stops at the first anchor, alias or level too deep. Only then is the document composed,
with line numbers kept (ruamel's round-trip nodes) so each kind of policy can name the line of a
problem. Every refusal is a :class:`PolicyYamlError` listing :class:`PolicyProblem` s with file and line.

Pure Python, importing nothing from Django, so the allocation engine can use it on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
    ScalarEvent,
)

MAX_BYTES = 512 * 1024
"""The largest policy file accepted. The biggest real policy is about 40 KB."""

MAX_DEPTH = 64
"""The deepest nesting of mappings and lists accepted. Real policies nest about a dozen deep."""

_TIMESTAMP = RoundTripConstructor.timestamp_regexp


@dataclass(frozen=True)
class PolicyProblem:
    """One problem in a policy: where it is (file, line, dotted path) and what is wrong."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class PolicyYamlError(Exception):
    """The file cannot be read as a policy at all; each problem names the file and the line."""

    def __init__(self, problems: list[PolicyProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _refuse(filename: str, line: int, message: str) -> PolicyYamlError:
    return PolicyYamlError([PolicyProblem(filename, line, "", message)])


def too_big(filename: str) -> PolicyYamlError:
    """The refusal of a file over :data:`MAX_BYTES` (for callers that know the size before reading)."""
    return _refuse(filename, 1, f"the file is larger than {MAX_BYTES // 1024} KB: a policy is much smaller")


def decode(data: bytes, filename: str) -> str:
    """The text of a policy file's bytes: refused if too large or not UTF-8 (a byte-order mark is
    dropped)."""
    if len(data) > MAX_BYTES:
        raise too_big(filename)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _refuse(
            filename, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}): save the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")


def read_file(path: Path, filename: str | None = None) -> str:
    """The text of a policy file on disk, checked as :func:`decode` checks it; a file over the size
    limit is refused from its size, without reading it."""
    name = filename or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _refuse(name, 1, "file not found") from None
    if size > MAX_BYTES:
        raise too_big(name)
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    return decode(data, name)


def _line(event: Any) -> int:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else 1


def _date_problem(event: ScalarEvent, filename: str) -> PolicyProblem | None:
    """A plain scalar shaped like a date that is not a real one (2027-02-30, 2026-13-01)."""
    if event.style is not None or event.tag is not None or not event.implicit[0]:
        return None
    value = event.value
    found = _TIMESTAMP.match(value) if value[:1].isdigit() else None
    if found is None:
        return None
    parts = found.groupdict()
    try:
        dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        if parts.get("hour"):
            dt.time(int(parts["hour"]), int(parts["minute"]), int(parts["second"]))
    except ValueError:
        return PolicyProblem(filename, _line(event), "", f"{value} is not a real date")
    return None


def check(text: str, filename: str) -> None:
    """Refuse ``text`` if it is too large, has anchors or aliases, nests too deep, has a date that
    does not exist, or is not YAML. Nothing is composed or expanded: the parser's events are read
    one by one and reading stops at the first anchor, alias or level too deep."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise too_big(filename)
    problems: list[PolicyProblem] = []
    depth = 0
    try:
        for event in YAML(typ="rt").parse(text):
            if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
                problems.append(
                    PolicyProblem(
                        filename,
                        _line(event),
                        "",
                        "anchors (&name) and aliases (*name) are not allowed in a policy: write the value out",
                    )  # fmt: skip
                )
                break
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    problems.append(
                        PolicyProblem(filename, _line(event), "", f"nested more than {MAX_DEPTH} levels deep")
                    )
                    break
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
            elif isinstance(event, ScalarEvent):
                bad_date = _date_problem(event, filename)
                if bad_date is not None:
                    problems.append(bad_date)
    except MarkedYAMLError as exc:
        problems.append(_yaml_problem(exc, filename))
    except YAMLError as exc:
        problems.append(PolicyProblem(filename, 1, "", f"not valid YAML: {exc}"))
    if problems:
        raise PolicyYamlError(problems)


def _yaml_problem(exc: MarkedYAMLError, filename: str) -> PolicyProblem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    return PolicyProblem(filename, line, "", f"not valid YAML: {exc.problem or exc}")


def load(text: str, filename: str) -> Any:
    """:func:`check` the text, then parse it keeping line numbers (ruamel round-trip nodes:
    ``CommentedMap`` and ``CommentedSeq`` carry ``.lc`` with each key's and item's line)."""
    check(text, filename)
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:  # e.g. a key given twice
        raise PolicyYamlError([_yaml_problem(exc, filename)]) from None
    except (YAMLError, ValueError, OverflowError) as exc:  # nothing the check lets through, as far as known
        raise _refuse(filename, 1, f"not valid YAML: {exc}") from None


def to_plain(node: Any) -> Any:
    """Round-trip nodes to plain Python; YAML floats become exact Decimals."""
    if isinstance(node, Mapping):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, float):
        return Decimal(str(node))
    if isinstance(node, int):
        return int(node)
    if isinstance(node, str):
        return str(node)
    return node  # dates and datetimes as they are


def line_of(node: Any, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest part of ``loc`` (a validation error's path) found in the
    parsed YAML (round-trip nodes carry each key's and item's line)."""
    line = 1
    for key in loc:
        lc = getattr(node, "lc", None)
        if isinstance(node, Mapping) and key in node and lc is not None:
            line = lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node) and lc is not None:
            line = lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    return line


def validate(model: Any, text: str, filename: str) -> Any:
    """The text as ``model`` (a pydantic model): every problem at once, each with its file, line and
    path, as a PolicyYamlError."""
    from pydantic import ValidationError

    data = load(text, filename)
    if not isinstance(data, Mapping):
        raise _refuse(filename, 1, "the file must be a mapping of keys to values")
    try:
        return model.model_validate(to_plain(data))
    except ValidationError as exc:
        problems = [
            PolicyProblem(filename, line_of(data, tuple(err["loc"])), ".".join(str(p) for p in err["loc"]),
                          str(err["msg"]).removeprefix("Value error, "))
            for err in exc.errors()
        ]  # fmt: skip
        raise PolicyYamlError(problems) from None
