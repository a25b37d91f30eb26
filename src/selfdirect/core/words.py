"""Words on screen come from labels, never from codes (DESIGN.md). One place turns a code into the
words people read: a policy's code (a funding stream, a question, a policy version) into the label
the authority's policy gives it; a model's name and fields into their verbose names; a stored value
into pounds, a date or a choice's label.

Core knows no domain app, so each app registers the labels it owns (``register("stream", source)``
in its AppConfig.ready()); a source answers, for one authority, {code: label}. Within a request
(``remembered()``, entered by the authority middleware) each source is asked once per authority.
A code nobody labels is shown in words ("adult_social_care" as "Adult social care"), never as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

from .dates import format_date, period_name
from .money import format_pence

LabelSource = Callable[[int], Mapping[str, str]]

_sources: dict[str, LabelSource] = {}
# Which stored fields hold codes of which kind ("plans.spendingline.category": "plan_category"); a
# field named as a kind ("stream") holds that kind's codes wherever it is.
_fields: dict[str, str] = {}
_remembered: ContextVar[dict[tuple[str, int], Mapping[str, str]] | None] = ContextVar(
    "selfdirect_words", default=None
)


def register(kind: str, source: LabelSource, *, fields: Iterable[str] = ()) -> None:
    """Let ``source(authority_id)`` label the codes of ``kind`` ("stream", "question", ...), the
    codes a model field holds where ``fields`` names it ("app.model.field")."""
    _sources[kind] = source
    for name in fields:
        _fields[name] = kind


@contextmanager
def remembered() -> Iterator[None]:
    """Ask each source once per authority inside the block (a request: a list of 200 budgets
    reads the policy once, not 200 times)."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def _authority_id(authority: Any) -> int | None:
    if authority is None or isinstance(authority, int):
        return authority
    return int(authority.pk)


def labels(kind: str, authority: Any) -> Mapping[str, str]:
    """Every code of ``kind`` the authority's policies label, {code: label} ({} if none)."""
    source = _sources.get(kind)
    authority_id = _authority_id(authority)
    if source is None or authority_id is None:
        return {}
    cache = _remembered.get()
    if cache is None:
        return source(authority_id)
    key = (kind, authority_id)
    if key not in cache:
        cache[key] = source(authority_id)
    return cache[key]


def label(kind: str, authority: Any, code: str | None) -> str:
    """The label of one code: the authority's own, else the code in words."""
    if not code:
        return ""
    return labels(kind, authority).get(code) or humanise(code)


def humanise(code: str) -> str:
    """A code in words, for codes nobody labels: "adult_social_care" -> "Adult social care"."""
    words = re.sub(r"[_.:]+", " ", str(code)).strip()
    return capfirst(words) or str(code)


# Codes of policy data, found in text written at the time (an audit entry's label, say). Codes of
# this length or longer only: short ones ("isf", "low") are ordinary words too often.
_CODE = re.compile(r"[a-z0-9][a-z0-9_-]*@[0-9a-f]{12}|[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


def plain_text(authority: Any, text: str, kinds: tuple[str, ...] = ("stream", "policy_version")) -> str:
    """Free text written with codes in it (an old audit entry: "Margaret Okafor adult_social_care
    2026-27") with each code of ``kinds`` replaced by its label, any other in words."""
    known: dict[str, str] = {}
    for kind in kinds:
        known.update(labels(kind, authority))
    return plain_dates(replace_codes(text, known))


_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_ISO_MONTH = re.compile(r"\b(\d{4})-(0[1-9]|1[0-2])\b(?!-\d)")


def plain_dates(text: str) -> str:
    """``text`` with the dates and months written as the database keeps them ("2026-04-01",
    "2026-04") as people write them ("1 April 2026", "April 2026"); a financial year ("2026-27")
    stays as it is."""

    def day(m: re.Match[str]) -> str:
        try:
            return format_date(dt.date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return m[0]

    text = _ISO_DAY.sub(day, text)
    return _ISO_MONTH.sub(lambda m: period_name(m[0]), text)


def replace_codes(text: str, known: Mapping[str, str]) -> str:
    """``text`` with each snake_case code in it replaced by its label in ``known``, or else by the
    code in words ("hours_in_band" -> "hours in band"): for working written with a policy's names."""
    return _CODE.sub(lambda m: known.get(m.group(0)) or _in_words(m.group(0)), text)


def _in_words(code: str) -> str:
    return code if "@" in code else code.replace("_", " ")  # an unknown version id is left whole


# --------------------------------------------------------------------------- models and values


def model_for(label_lower: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label_lower)
    except (LookupError, ValueError):
        return None


def model_name(label_lower: str) -> str:
    """"ledger.chargeassessment" -> "Charge assessment" (the model's verbose name)."""
    model = model_for(label_lower)
    if model is None:
        return humanise(label_lower.rsplit(".", 1)[-1])
    return capfirst(str(model._meta.verbose_name))


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def is_money(name: str) -> bool:
    """Amounts are integer pence, and every such field or key says so in its name."""
    return name == "pence" or name.endswith("_pence")


def field_label(model: type[models.Model] | None, name: str, authority: Any = None) -> str:
    """A field's label: its verbose name (without the "pence" its name carries)."""
    if "." in name and _field(model, name) is None:
        # "assessor.pc_trigger": one side's answer to one question of the policy.
        side, question = name.split(".", 1)
        return f"{humanise(side)}: {label('question', authority, question)}"
    field = _field(model, name)
    text = str(field.verbose_name) if field is not None else name.replace("_", " ")
    text = re.sub(r"\s*\bpence\b", "", text).strip() or text
    return capfirst(text)


def value_text(model: type[models.Model] | None, name: str, value: Any, authority: Any = None) -> str:
    """A stored value as people read it: pounds, "5 April 2026", Yes/No, a choice's label, the
    label of a policy code."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(value_text(model, name, v, authority) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{humanise(str(k))}: {value_text(None, str(k), v, authority)}" for k, v in value.items())
    if is_money(name) and isinstance(value, int):
        return format_pence(value)
    if "." in name and _field(model, name) is None and isinstance(value, str):
        # "person.client_group": one side's answer to one question of the policy, in the option's words.
        question = name.split(".", 1)[1]
        return labels("answer", authority).get(f"{question}={value}") or humanise(value)
    field = _field(model, name.split(".", 1)[-1] if "." in name else name)
    if field is not None and field.choices:
        for code, shown in field.flatchoices:
            if str(code) == str(value):
                return str(shown)
    kind = _fields.get(f"{model._meta.label_lower}.{name}" if model is not None else name) or (
        name if name in _sources else None
    )
    if kind is not None and isinstance(value, str):
        return label(kind, authority, value)
    if isinstance(value, str):
        day = _date(value)
        if day is not None:
            return format_date(day)
    return str(value)


def _date(text: str) -> dt.date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None

