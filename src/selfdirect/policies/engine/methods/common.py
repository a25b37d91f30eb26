"""What an allocation method module provides, what it is given, and the helpers methods share.

A method module holds everything about one method (one ``kind`` of a stream's method):

* its calculation for one person, each step with its explanation (:meth:`AllocationMethod.parts`);
* its vectorised form over a whole population (:meth:`AllocationMethod.population`): the same
  integer formulas of :mod:`..money` over arrays, so the two paths agree to the penny;
* its checks against the rest of the policy, run by the loader (:meth:`AllocationMethod.check`).

It sees the engine through three narrow views - :class:`OnePerson`, :class:`Everyone` and
:class:`PolicyChecks` - so a method imports only the schema and the money arithmetic, and the
engine's modules (loader, allocate, population) import the methods, never the other way.
"""

from __future__ import annotations

import typing
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Generic, Protocol, TypeVar, overload

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel

from ..money import CENTI, FP, SCORE_SCALE, IntArray, div_round, format_number, scaled
from ..schema import PolicyModel, Question, RateByAnswer, RateRef

#: where in a policy file a finding is, e.g. ("streams", "carers", "methods", 0, "method", "rate")
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Part:
    """One step of a method's working: the words for the person and for staff, and what the
    step adds in fixed point (1/10,000 of a penny; the engine rounds the running total)."""

    step: str
    person: str
    staff: str
    fp: int


class OnePerson(Protocol):
    """One person's side of a calculation (the per-person engine's context)."""

    @property
    def model(self) -> PolicyModel: ...

    @property
    def answers(self) -> Mapping[str, Any]:
        """Normalised answers, those of closed domains removed."""

    @property
    def scores(self) -> Mapping[str, int]:
        """Derived scores at :data:`~..money.SCORE_SCALE`."""

    @property
    def final(self) -> Mapping[str, int]:
        """Annual pence of the streams already worked out (a method reading one says so with
        :meth:`AllocationMethod.streams_used`, which puts it first)."""

    def rate(self, ref: RateRef) -> tuple[str, Decimal] | None:
        """The rate's id and amount in pence, recorded as used; ``None`` when it is chosen by an
        answer that is not given and there is no default."""


class Everyone(Protocol):
    """A whole population's side: the population engine's run over columns of answers."""

    @property
    def model(self) -> PolicyModel: ...

    @property
    def n(self) -> int: ...

    def score(self, name: str) -> npt.NDArray[Any]:
        """A derived score for everyone at SCORE_SCALE (int32 where that provably fits, else int64)."""

    def codes(self, qid: str) -> npt.NDArray[np.int32] | None:
        """A choice question's answer codes (into :meth:`categories`), -1 where unanswered or
        hidden by a closed domain; ``None`` when the population has no such column."""

    def categories(self, qid: str) -> tuple[str, ...]:
        """The options a choice column's codes index."""

    def rate_fp(self, ref: RateRef) -> IntArray | int:
        """A rate in fixed point: one number, or per person when an answer chooses it (0 where it
        cannot be chosen, as for one person)."""

    def rate_table_fp(self, ref: RateByAnswer) -> tuple[int, dict[str, int]]:
        """A rate chosen by answer as its default and its answer -> rate table, in fixed point."""


class PolicyChecks(Protocol):
    """The loader's cross-reference checks, for a method to check its own fields. Each finding is
    added with its place in the file; none is raised."""

    @property
    def weeks(self) -> int: ...

    @property
    def stream_names(self) -> AbstractSet[str]: ...

    def add(self, loc: Loc, message: str) -> None: ...

    def rate(self, ref: RateRef, loc: Loc, units: tuple[str, ...]) -> None:
        """The rate (or every rate an answer may choose) exists, in one of ``units``."""

    def question(self, qid: str, loc: Loc, types: Iterable[str] | None = None) -> Question | None: ...

    def derived_ref(self, name: str, loc: Loc) -> None: ...

    def hours(self, value: Decimal, loc: Loc) -> None:
        """Hours a week: not negative, at most 2 decimal places."""

    def check_points(self, value: Decimal, loc: Loc) -> None: ...


M = TypeVar("M", bound=BaseModel)


class AllocationMethod(ABC, Generic[M]):
    """One allocation method. A subclass names its schema class (``kind`` is read from it),
    implements :meth:`parts` and :meth:`check`, and :meth:`population` unless ``vectorised`` is
    false. Its module exposes one instance as ``METHOD``, which is how it is found."""

    schema: ClassVar[type[BaseModel]]
    kind: ClassVar[str]
    #: False: the population engine works out the rows that use this method one person at a
    #: time, through :meth:`parts` (right, but slow for a large population)
    vectorised: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = kind_of(cls.schema)

    @abstractmethod
    def parts(self, person: OnePerson, m: M) -> list[Part]:
        """The method's amount for one person as fixed-point parts, each with its explanation."""

    def population(self, everyone: Everyone, m: M, final: Mapping[str, IntArray]) -> IntArray | int:
        """The method's amount in fixed point for everyone (the caller masks it to the people the
        method applies to); an int when it is the same for all. ``final``: annual pence of the
        streams already worked out."""
        raise NotImplementedError(f"{self.kind} has no vectorised form")

    @abstractmethod
    def check(self, checks: PolicyChecks, m: M, loc: Loc, stream: str) -> None:
        """Check what the schema cannot: the questions, scores, rates and streams the method
        names, and that its figures make sense together."""

    def streams_used(self, m: M) -> Mapping[str, str]:
        """Other streams the method reads, by the field that names each: they are worked out
        first, and the loader refuses a cycle."""
        return {}

    def payments(self, person: OnePerson, m: M) -> dict[str, Any] | None:
        """How the stream is paid when not in level instalments (see ``StreamAllocation.schedule``)."""
        return None


def kind_of(schema: type[BaseModel]) -> str:
    """The ``kind`` a schema class of a method accepts (its ``Literal``)."""
    (kind,) = typing.get_args(schema.model_fields["kind"].annotation)
    return str(kind)


# --------------------------------------------------------------------------- shared helpers

#: the step for a method paid by the hour when an unanswered question leaves no rate to choose
UNCHOSEN_HOURLY_RATE = Part(
    "rate", "We could not choose an hourly rate yet.", "hourly rate depends on an unanswered question", 0
)


def score_text(score: int) -> str:
    """A score at SCORE_SCALE as the points people read (12.5, 40)."""
    return format_number(Decimal(score) / SCORE_SCALE)


def hours_twice_centi(low: Decimal, high: Decimal, where: str) -> int:
    """The figure of a range of hours a week the policy pays (``where``: lower, upper or
    midpoint), as twice the hours in hundredths, so a midpoint stays an integer."""
    lo, hi = scaled(low, CENTI), scaled(high, CENTI)
    return {"lower": 2 * lo, "upper": 2 * hi, "midpoint": lo + hi}[where]


@overload
def hours_fp(h2: int, rate_fp: int, weeks: int) -> int: ...
@overload
def hours_fp(h2: IntArray, rate_fp: IntArray | int, weeks: int) -> IntArray: ...
@overload
def hours_fp(h2: int, rate_fp: IntArray, weeks: int) -> IntArray: ...
def hours_fp(h2: int | IntArray, rate_fp: int | IntArray, weeks: int) -> int | IntArray:
    """A year of hours a week (as :func:`hours_twice_centi`) at an hourly rate, in fixed point:
    one formula for one person and for everyone."""
    return div_round(h2 * rate_fp * weeks, 2 * CENTI)


def year_of_hours(person: OnePerson, ref: RateRef, h2: int) -> tuple[str, Decimal, int] | None:
    """One person's year of ``h2`` (see :func:`hours_twice_centi`) hours a week at the hourly rate
    ``ref``: the rate's id and amount, and the fixed-point total; None when no rate can be chosen."""
    rate = person.rate(ref)
    if rate is None:
        return None
    rid, amount = rate
    return rid, amount, hours_fp(h2, scaled(amount, FP), person.model.weeks_per_year)
