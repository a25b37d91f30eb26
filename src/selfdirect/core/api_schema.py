"""What every API request schema shares, so each rule about input is written once.

- :class:`Input` is the base of every request body and query schema. It refuses, field by field,
  a NUL character anywhere in a value (PostgreSQL cannot store one; SQLite stored it silently) and
  an integer the database cannot hold (SQLite raised OverflowError, PostgreSQL "bigint out of
  range"), nested lists and mappings included, so the problem names the field.
- :data:`Id` is a record's id: a positive 64-bit integer.
- :data:`Reason` is the reason an audited change records (as long as the pages allow).
- :data:`LocalTime` is a time of day on the council's clock: ``HH:MM`` or ``HH:MM:SS``, with no
  offset. A time with an offset used to be saved and then fail to render, so the caller retried
  and duplicated the row; it is refused before anything is written.
- :data:`Moment` is a date and time: one with an offset is kept in UTC (PostgreSQL holds offsets
  only up to 15:59, RFC 3339 allows 23:59), one without is on the council's clock.
- :func:`required` marks a field a PATCH may leave out but may not set to null: only fields the
  record can hold empty are nullable in the contract.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, get_args

from django.utils import timezone
from ninja import Field
from ninja import Schema as NinjaSchema
from ninja.pagination import PageNumberPagination
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from selfdirect.core.forms import REASON_MAX_LENGTH
from selfdirect.core.middleware import NUL, NUL_MESSAGE

DB_INT_MIN = -(2**63)
DB_INT_MAX = 2**63 - 1


def _find(value: Any, bad: Any) -> bool:
    """Whether ``bad`` holds for ``value`` or anything in it (lists and mappings, keys included)."""
    if bad(value):
        return True
    if isinstance(value, Mapping):
        return any(_find(k, bad) or _find(v, bad) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_find(v, bad) for v in value)
    return False


def _admits_bool(annotation: Any) -> bool:
    """Whether a field's type takes true or false somewhere (bool itself, or Any)."""
    if annotation is bool or annotation is Any:
        return True
    return any(_admits_bool(arg) for arg in get_args(annotation) if not isinstance(arg, str | int | float))


def _admits_number(annotation: Any) -> bool:
    """Whether a field's type takes a JSON number somewhere (int, float, Decimal, or Any)."""
    if annotation in (int, float, Decimal, Any):
        return True
    return any(_admits_number(arg) for arg in get_args(annotation) if not isinstance(arg, str | int | float))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _has_nul(value: Any) -> bool:
    return isinstance(value, str) and NUL in value


def _too_big(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not DB_INT_MIN <= value <= DB_INT_MAX


def _has_model(annotation: Any) -> bool:
    """Whether a field's type holds a nested schema, which checks its own fields (and ignores
    properties it does not know, so those are not this field's business)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_has_model(arg) for arg in get_args(annotation))


class Input(NinjaSchema):
    """The base of every request schema (body, query or form). It takes JSON's types as the document
    states them: pydantic's lax mode would also read 0 as false, a number as a date, and (through
    ninja's from-attributes reading) a list as an object with every field left out."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        given = data._obj if isinstance(data, DjangoGetter) else data  # ninja wraps what it is given
        if not isinstance(given, Mapping | BaseModel):
            raise PydanticCustomError("model_type", "must be a JSON object")
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is None or _has_model(field.annotation):
            return value
        if _find(value, _has_nul):
            raise PydanticCustomError("nul_character", NUL_MESSAGE)
        # pydantic would read true as 1 for a number: the contract says a number, so a boolean is
        # refused wherever the field does not take one.
        if not _admits_bool(field.annotation) and _find(value, lambda v: isinstance(v, bool)):
            raise PydanticCustomError("bool_type", "true or false is not a value for this field")
        # ... and 0 as false, or a number of seconds as a date: only fields that take numbers do.
        if not _admits_number(field.annotation) and _find(value, _is_number):
            raise PydanticCustomError("number_type", "a number is not a value for this field")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_numbers_no_database_holds(cls, value: Any) -> Any:
        # After the field's own checks, so a declared bound (an Id's) names the item that broke it.
        if _find(value, _too_big):  # nested schemas are left to themselves (not a list or mapping)
            raise PydanticCustomError("int_too_big", "must be a whole number from -2^63 to 2^63 - 1")
        return value


Id = Annotated[int, Field(ge=1, le=DB_INT_MAX, description="A record's id")]
# Something other than white space (as Python's str.strip sees it: the audit log keeps the reason
# stripped, and refuses an empty one) and no NUL; \\u escapes read the same in Python, pydantic's
# Rust regex and ECMA-262.
_SPACE = r"\u0000\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
REASON_PATTERN = rf"^[^\u0000]*[^{_SPACE}][^\u0000]*$"
Reason = Annotated[
    str,
    Field(
        min_length=1, max_length=REASON_MAX_LENGTH, pattern=REASON_PATTERN,
        description="Why: kept in the record's history (not only spaces)",
    ),
]  # fmt: skip

_LOCAL_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$")


def _local_time(value: Any) -> Any:
    if isinstance(value, dt.time):
        if value.tzinfo is not None:
            raise PydanticCustomError("local_time", "give the time on the council's clock, with no offset")
        return value
    if not isinstance(value, str) or not _LOCAL_TIME.match(value):
        raise PydanticCustomError(
            "local_time", "give a time of day as HH:MM or HH:MM:SS, with no offset (for example 18:00)"
        )
    return dt.time.fromisoformat(value)


# JSON Schema's `format: time` is RFC 3339's full-time, which needs an offset: these times have none.
LocalTime = Annotated[
    dt.time,
    BeforeValidator(_local_time),
    WithJsonSchema(
        {"type": "string", "pattern": _LOCAL_TIME.pattern, "examples": ["18:00:00"],
         "description": "A time of day on the council's clock (UK local time), with no offset"}
    ),
]  # fmt: skip


def _in_utc(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # the first or last hours of the calendar: the record's own rules refuse them
        return value


Moment = Annotated[dt.datetime, AfterValidator(_in_utc)]


def required(default: Any = None, **kwargs: Any) -> Any:
    """A PATCH field that may be left out (then it is not changed) but not sent as null."""
    return Field(default, json_schema_extra=_drop_default, **kwargs)


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class PageInput(Input):
    page: int = Field(1, ge=1, le=DB_INT_MAX // 100, description="Which page, from 1")
    page_size: int | None = Field(None, ge=1, le=100, description="Items a page (the default if left out)")


class Pages(PageNumberPagination):
    """Page-numbered lists. A page far past the end is an empty page; a page number no database can
    count to (``page=2**70`` overflowed the query's OFFSET) is refused with the field named."""

    MAX_PAGE_SIZE = 100
    Input = PageInput  # type: ignore[assignment]

    def __init__(self, page_size: int = 50, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=self.MAX_PAGE_SIZE, **kwargs)


def decimal(
    digits: int, places: int, *, ge: int | None = None, gt: int | None = None, le: int | None = None,
    text: str | None = None,
) -> Any:
    """A decimal the database keeps in ``digits`` digits, ``places`` of them after the point, sent as a
    JSON number or as a string of digits. The document says exactly what is accepted (a string
    pattern, the number's bounds and step), and the same pattern is enforced, so a client can tell
    from the contract alone whether a value will be taken. A bound below what the digits allow (``le``)
    needs its own ``text`` pattern, so a string the pattern admits is never above it."""
    given_text = text
    whole = digits - places
    if gt == 0:  # a digit other than 0 somewhere
        text = rf"^([1-9]\d{{0,{whole - 1}}}(\.\d{{1,{places}}})?|0?\.(\d?[1-9]|[1-9]\d{{0,{places - 1}}}))$"
    else:
        text = rf"^(0|[1-9]\d{{0,{whole - 1}}})(\.\d{{1,{places}}})?$"
    if ge is None and gt is None:
        text = text.replace("^(", "^-?(", 1)
    text = given_text or text
    pattern = re.compile(text)
    number: dict[str, Any] = {"type": "number", "multipleOf": float(f"1e-{places}")}
    number["maximum"] = float(le) if le is not None else float("9" * whole + "." + "9" * places)
    if ge is not None:
        number["minimum"] = ge
    elif gt is not None:
        number["exclusiveMinimum"] = gt
    else:
        number["minimum"] = -number["maximum"]

    def check(value: Any) -> Any:
        if isinstance(value, bool) or (isinstance(value, str) and not pattern.match(value)):
            raise PydanticCustomError(
                "decimal_text", f"give a number with at most {whole} digits before the point and {places} after"
            )
        return value

    return Annotated[
        Decimal,
        BeforeValidator(check),
        Field(ge=ge, gt=gt, le=le, max_digits=digits, decimal_places=places),
        WithJsonSchema({"anyOf": [number, {"type": "string", "pattern": text}]}, mode="validation"),
    ]
