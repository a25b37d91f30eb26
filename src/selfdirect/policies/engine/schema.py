"""The policy schema: what a commissioner may write in a policy YAML file.

These pydantic models check the *shape* of a policy (types, required fields, no unknown
keys, so a typo is an error rather than a silently ignored rule). Cross-references
(unknown questions, missing rates, overlapping bands, cycles) are checked afterwards in
:mod:`.loader`, which reports every problem with its file and line at once.

Money in a policy is written in **pence** (``hourly_rate: 1800`` is £18.00 an hour); a
rate may carry up to four decimal places of a penny, because a price per point sized from
a pot is rarely whole. Points, weights, hours and percentages have at most two decimal
places, so that all arithmetic stays exact (see :mod:`.money`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

STREAM_IDS: tuple[str, ...] = (
    "adult_social_care",
    "supporting_people",
    "ilf",
    "access_to_work",
    "dfg",
    "ices",
    "carers",
)
StreamId = Literal["adult_social_care", "supporting_people", "ilf", "access_to_work", "dfg", "ices", "carers"]

FACS_BANDS: tuple[str, ...] = ("critical", "substantial", "moderate", "low")
FacsBand = Literal["critical", "substantial", "moderate", "low"]

AnswerType = Literal["yes_no", "single_choice", "multiple_choice", "number", "text"]


class _Model(BaseModel):
    """Base: unknown keys are errors, so a misspelt rule cannot be silently ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


# --------------------------------------------------------------------------- questionnaire


class Option(_Model):
    """One answer to a choice question; ``points`` feed the points-based methods."""

    value: str
    label: str
    staff_label: str | None = None
    points: Decimal = Decimal(0)


class Question(_Model):
    """A question with wording for the person and for staff.

    ``tags`` are outcome-framework references (e.g. Supporting People "Stay Safe 4a")
    shown to staff only, as in seed 002's needs-assessment tables.
    """

    id: str
    type: AnswerType
    person: str
    staff: str
    help: str | None = None
    tags: list[str] = Field(default_factory=list)
    required: bool = True
    options: list[Option] = Field(default_factory=list)
    points_yes: Decimal = Decimal(0)
    min: Decimal | None = None
    max: Decimal | None = None
    decimals: int = Field(default=0, ge=0, le=2)
    unit: str | None = Field(default=None, max_length=40)  # what a number counts, after the box: "hours a week"
    # What the person's record already says, so it is filled in and not asked: "age" (whole years on
    # the day of the assessment, from the date of birth). The person can still change it.
    from_record: Literal["age"] | None = None
    max_length: int = Field(default=2000, ge=1)


class Domain(_Model):
    """An area of life. If it has trigger questions, a "yes" to any opens its questions."""

    id: str
    title: str
    person_title: str | None = None
    triggers: list[Question] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)


class Questionnaire(_Model):
    domains: list[Domain]


# --------------------------------------------------------------------------- conditions


class Condition(_Model):
    """A test on the answers, used by eligibility rules, routes, adjustments and method choice.

    Exactly one form per condition:
    ``{answer: q, is: v}``, ``{answer: q, in: [..]}``, ``{answer: q, at_least: n}``,
    ``{answer: q, includes: option}``, ``{answer: q, answered: true}``,
    ``{derived: d, at_least: n}``, ``{domain_open: d}``, ``{any: [..]}``, ``{all: [..]}``,
    ``{not: {..}}``.
    """

    answer: str | None = None
    derived: str | None = None
    domain_open: str | None = None
    any_: list[Condition] | None = Field(default=None, alias="any")
    all_: list[Condition] | None = Field(default=None, alias="all")
    not_: Condition | None = Field(default=None, alias="not")
    is_: str | bool | int | None = Field(default=None, alias="is")
    in_: list[str] | None = Field(default=None, alias="in")
    includes: str | None = None
    answered: bool | None = None
    at_least: Decimal | None = None
    at_most: Decimal | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        heads = [
            x
            for x in (self.answer, self.derived, self.domain_open, self.any_, self.all_, self.not_)
            if x is not None
        ]
        if len(heads) != 1:
            raise ValueError("a condition needs exactly one of answer, derived, domain_open, any, all, not")
        tests = [
            x
            for x in (self.is_, self.in_, self.includes, self.answered, self.at_least, self.at_most)
            if x is not None
        ]
        if self.answer is not None and not tests:
            raise ValueError("an answer condition needs is, in, includes, answered, at_least or at_most")
        if self.derived is not None and (self.at_least is None and self.at_most is None):
            raise ValueError("a derived condition needs at_least or at_most")
        return self


# --------------------------------------------------------------------------- derived values


class DomainWeight(_Model):
    weight: Decimal = Decimal(1)
    cap: Decimal | None = None


class PointsDerived(_Model):
    """Sum of answer points over domains: each domain weighted, then capped; then a total cap."""

    kind: Literal["points"]
    description: str = ""
    domains: dict[str, DomainWeight]
    cap: Decimal | None = None


class SumDerived(_Model):
    """Sum of other derived values (e.g. total = care + housing)."""

    kind: Literal["sum"]
    description: str = ""
    of: list[str]
    cap: Decimal | None = None


Derived = Annotated[PointsDerived | SumDerived, Field(discriminator="kind")]


# --------------------------------------------------------------------------- rates and methods


class Rate(_Model):
    """A price in pence per ``unit``; every allocation records the rates it used."""

    amount: Decimal
    unit: Literal["hour", "point", "week", "year", "night", "session", "item"]
    description: str = ""
    source: str | None = None


class RateByAnswer(_Model):
    """Pick the rate from an answer, e.g. how the person will buy support (SP £15-18 vs £8-11)."""

    question: str
    rates: dict[str, str]
    default: str | None = None


RateRef = str | RateByAnswer


class PointsMethod(_Model):
    """(a) In Control style: a derived points score times a price per point."""

    kind: Literal["points"]
    score: str
    price_per_point: RateRef
    period: Literal["year", "week"] = "year"


class Band(_Model):
    """A support band: scores from ``from_points`` (inclusive) to ``below_points`` (exclusive)."""

    id: str
    label: str
    from_points: Decimal
    below_points: Decimal | None = None
    hours_min: Decimal = Field(ge=0)
    hours_max: Decimal = Field(ge=0)


class BandsMethod(_Model):
    """(b) B&NES style: a score selects a band, the band gives hours a week, times an hourly rate."""

    kind: Literal["bands"]
    score: str
    bands: list[Band]
    hours_in_band: Literal["lower", "upper", "midpoint"] = "upper"
    rate: RateRef


ROUND_THE_CLOCK = Decimal(24 * 7)
"""Hours a week of care "24/7" (the Essex table's highest row): every hour of the week."""


class MatrixCell(_Model):
    """A matrix cell: hours a week from ``min`` to ``max``, as a source table gives them.

    Written as a number (``6``: one figure), a range (``10-15`` or ``{min: 10, max: 15}``) or
    ``24/7`` (round the clock, 168 hours a week); the method's ``hours_in_range`` says where in
    a range the council pays. ``text`` keeps the cell as written, for the explanation.
    """

    min: Decimal
    max: Decimal
    text: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_short_forms(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("give hours a week: a number, a range such as 10-15, or 24/7")
        if isinstance(value, float):
            value = Decimal(str(value))
        if isinstance(value, int | Decimal):
            return {"min": value, "max": value, "text": str(value)}
        if isinstance(value, str):
            text = value.strip()
            if text == "24/7":
                return {"min": ROUND_THE_CLOCK, "max": ROUND_THE_CLOCK, "text": text}
            lo, dash, hi = text.partition("-")
            try:
                if not dash:
                    return {"min": Decimal(text), "max": Decimal(text), "text": text}
                return {"min": Decimal(lo.strip()), "max": Decimal(hi.strip()), "text": text}
            except ArithmeticError:
                raise ValueError(
                    f"{text!r} is not hours a week: write a number, a range such as 10-15, or 24/7"
                ) from None
        return value

    @property
    def is_range(self) -> bool:
        return self.min != self.max


class MatrixMethod(_Model):
    """(c) Essex style: need level (rows) x tenure (columns) -> hours a week, times a rate.

    A cell may hold a range (the Essex table gives 10-15 hours, not one figure); then
    ``hours_in_range`` says which figure of it the council pays, as ``hours_in_band`` does for
    the bands method.
    """

    kind: Literal["matrix"]
    row_question: str
    column_question: str
    cells: dict[str, dict[str, MatrixCell]]
    hours_in_range: Literal["lower", "upper", "midpoint"] | None = None
    rate: RateRef
    illustrative: bool = False
    note: str = ""


class Phase(_Model):
    hours_per_week: Decimal = Field(ge=0)
    weeks: int = Field(ge=1)


class ScheduleMethod(_Model):
    """(d) Norfolk style: time-limited support that diminishes phase by phase over the year."""

    kind: Literal["diminishing_schedule"]
    phases: list[Phase]
    rate: RateRef


class ServiceItem(_Model):
    label: str
    question: str
    rate: RateRef
    per: Literal["week", "year"] = "week"


class TraditionalMethod(_Model):
    """(e) Seed 003: cost of the traditional services that would meet the need, while a RAS is tuned."""

    kind: Literal["traditional_services"]
    items: list[ServiceItem]


class FixedMethod(_Model):
    """A fixed annual sum (e.g. a carers' grant) when the stream's condition holds."""

    kind: Literal["fixed"]
    rate: RateRef


class ShareMethod(_Model):
    """A percentage of another stream's final amount (e.g. a carers' element)."""

    kind: Literal["share_of_stream"]
    stream: str
    percent: Decimal


Method = Annotated[
    PointsMethod
    | BandsMethod
    | MatrixMethod
    | ScheduleMethod
    | TraditionalMethod
    | FixedMethod
    | ShareMethod,
    Field(discriminator="kind"),
]


class MethodChoice(_Model):
    """Methods are tried in order; the first whose ``when`` holds (or has none) is used."""

    when: Condition | None = None
    label: str = ""
    method: Method


class Adjustment(_Model):
    """A change after the method: ``percent`` (negative reduces) or ``hours`` a week at a rate."""

    kind: Literal["percent", "hours"]
    label: str
    person_text: str = ""
    when: Condition | None = None
    percent: Decimal | None = None
    hours_per_week: Decimal | None = None
    hours_question: str | None = None
    rate: RateRef | None = None

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Adjustment:
        if self.kind == "percent" and self.percent is None:
            raise ValueError("a percent adjustment needs percent")
        if self.kind == "hours":
            if (self.hours_per_week is None) == (self.hours_question is None):
                raise ValueError("an hours adjustment needs exactly one of hours_per_week, hours_question")
            if self.rate is None:
                raise ValueError("an hours adjustment needs a rate")
        return self


class Rounding(_Model):
    to: Literal["penny", "pound", "ten_pounds"] = "penny"
    mode: Literal["nearest", "up", "down"] = "nearest"


class Stream(_Model):
    """One funding stream: its own method(s), rates, adjustments, rounding and limits (annual pence)."""

    title: str
    person_title: str | None = None
    when: Condition | None = None
    methods: list[MethodChoice]
    adjustments: list[Adjustment] = Field(default_factory=list)
    rounding: Rounding = Field(default_factory=Rounding)
    minimum: int | None = None
    maximum: int | None = None
    # How the stream's money is paid once agreed: in instalments over the year (the usual), or once,
    # in full, when it starts (a one-off grant such as a Disabled Facilities Grant).
    paid: Literal["instalments", "once"] = "instalments"


# --------------------------------------------------------------------------- eligibility


class BandRule(_Model):
    band: FacsBand
    when: Condition


class Route(_Model):
    """What happens below the funded bands, so nobody falls through the net (seed 002)."""

    route: Literal["housing_support_only", "signpost"]
    when: Condition | None = None
    streams: list[StreamId] = Field(default_factory=list)
    text: str
    staff_text: str = ""


class Eligibility(_Model):
    funded_bands: list[FacsBand]
    rules: list[BandRule]
    default_band: FacsBand = "low"
    funded_text: str = "Your needs are eligible for support from the council."
    below_threshold: list[Route]


# --------------------------------------------------------------------------- policy


class PolicyModel(_Model):
    """One dated version of one authority's policy."""

    authority: str
    id: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    description: str = ""
    weeks_per_year: int = Field(default=52, ge=1, le=53)
    questionnaire: Questionnaire
    derived: dict[str, Derived] = Field(default_factory=dict)
    rates: dict[str, Rate]
    eligibility: Eligibility
    streams: dict[str, Stream]
