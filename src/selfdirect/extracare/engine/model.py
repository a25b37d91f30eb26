"""The scheme as data: flats, who lives there, how the cover is staffed and the shift rules.

Everything a commissioner might change is an input here rather than a constant in a
calculator, because the seed's figures (2 staff by day, 10-hour nights, a 37-hour care team
leader...) are one authority's example, not a rule. Models are frozen pydantic models so a
scheme read from a form, JSON or YAML is checked in one place; any problem raises a single
:class:`SchemeInputError` listing every ``(field path, message)`` found.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import Problem, SchemeInputError, join_path

NonNegHours = Annotated[Decimal, Field(ge=0)]
NonNegInt = Annotated[int, Field(ge=0)]
ONE = Fraction(1)
SHARE_TOLERANCE = Fraction(1, 1000)


def minutes_of(t: time) -> int:
    """Minutes since midnight; the engine works in whole minutes so halves stay exact."""
    return t.hour * 60 + t.minute


def hours_between(start: time, end: time) -> Decimal:
    """Length of a same-day session in exact Decimal hours (7:30 to 10:00 -> 2.5)."""
    return Decimal(minutes_of(end) - minutes_of(start)) / Decimal(60)


class EngineModel(BaseModel):
    """Base for engine inputs: frozen, no unknown fields, and one error type for every problem.

    Why a custom ``__init__``: pydantic raises its own ``ValidationError``; callers of the
    engine should only ever need to catch :class:`SchemeInputError`. Cross-field rules
    (for example day plus night hours within 24) live in :meth:`check` so that nested models
    built from plain dicts are checked too.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            error = SchemeInputError.from_pydantic(exc)
            seen = set(error.fields)
            extra = [p for p in type(self).raw_problems(data) if p[0] not in seen]
            raise SchemeInputError(problems=[*error.problems, *extra]) from None
        problems = self.check("")
        if problems:
            raise SchemeInputError(problems=problems)

    def check(self, prefix: str) -> list[Problem]:
        """Cross-field problems as ``(path, message)``; override in models that have any."""
        return []

    @classmethod
    def raw_problems(cls, data: dict[str, Any]) -> list[Problem]:
        """Cross-field checks on raw input, run when some field failed, so one pass reports everything.

        Best effort: values that cannot be read are skipped (they are already reported).
        """
        return []


class StaffingRules(EngineModel):
    """Minimum cover rules for a block contract (seed 003 Section 6, "Minimum block contract").

    Defaults are the seed's: 2 staff for 14 daytime hours, 1 at night for 10 hours, 1 hour of
    handover a day and a 37-hour care team leader on top.
    """

    day_min_staff: Annotated[int, Field(ge=1)] = 2
    day_hours_per_day: NonNegHours = Decimal(14)
    night_min_staff: NonNegInt = 1
    night_hours_per_night: NonNegHours = Decimal(10)
    handover_hours_per_day: NonNegHours = Decimal(1)
    team_leader_hours_per_week: NonNegHours = Decimal(37)
    days_per_week: Annotated[int, Field(ge=1, le=7)] = 7

    def check(self, prefix: str) -> list[Problem]:
        problems: list[Problem] = []
        if self.day_hours_per_day + self.night_hours_per_night > 24:
            problems.append(
                (
                    join_path(prefix, "night_hours_per_night"),
                    f"day hours ({self.day_hours_per_day}) plus night hours ({self.night_hours_per_night}) "
                    "exceed the 24 hours in a day",
                )
            )
        if self.handover_hours_per_day > 24:
            problems.append((join_path(prefix, "handover_hours_per_day"), "cannot exceed 24 hours a day"))
        if self.team_leader_hours_per_week > 168:
            problems.append(
                (join_path(prefix, "team_leader_hours_per_week"), "cannot exceed the 168 hours in a week")
            )
        return problems


class ShiftRules(EngineModel):
    """Shift rules (seed 003 Section 6, 3.5 "Shift Patterns") plus the rota limits.

    The seed's: an unpaid 30-minute break in shifts of 6 to 10 hours; two short breaks of 15
    minutes "allowed mid-morning and afternoon"; nights from 22:00 to 07:00. The seed does not
    say whether the short breaks are paid: that is the authority's choice (``short_breaks_paid``,
    paid unless it says otherwise). The rota limits (weekly hours, rest, nights) are common
    employment practice, not seed figures, and are inputs so an authority can set its own.
    """

    unpaid_break_minutes: NonNegInt = 30
    unpaid_break_from_hours: NonNegHours = Decimal(6)
    unpaid_break_to_hours: NonNegHours = Decimal(10)
    short_breaks: NonNegInt = 2
    short_break_minutes: NonNegInt = 15
    short_breaks_paid: bool = True
    night_start: time = time(22, 0)
    night_end: time = time(7, 0)
    min_shift_hours: Annotated[Decimal, Field(gt=0)] = Decimal(2)
    max_shift_hours: Annotated[Decimal, Field(gt=0)] = Decimal(10)
    max_hours_per_week: Annotated[Decimal, Field(gt=0)] = Decimal(48)
    min_rest_hours: NonNegHours = Decimal(11)
    max_nights_per_week: NonNegInt = 4

    @model_validator(mode="before")
    @classmethod
    def _earlier_names(cls, data: Any) -> Any:
        """Inputs saved before the short breaks' pay was a choice called them paid_short_breaks
        and paid_short_break_minutes (and always paid them): read those as they were meant."""
        if isinstance(data, dict) and ("paid_short_breaks" in data or "paid_short_break_minutes" in data):
            data = dict(data)
            for old, new in (
                ("paid_short_breaks", "short_breaks"),
                ("paid_short_break_minutes", "short_break_minutes"),
            ):
                if old in data:
                    data.setdefault(new, data.pop(old))
            data.setdefault("short_breaks_paid", True)
        return data

    def check(self, prefix: str) -> list[Problem]:
        problems: list[Problem] = []
        if self.unpaid_break_from_hours > self.unpaid_break_to_hours:
            problems.append(
                (
                    join_path(prefix, "unpaid_break_to_hours"),
                    f"must not be less than unpaid_break_from_hours ({self.unpaid_break_from_hours})",
                )
            )
        if (
            Decimal(self.unpaid_break_minutes) / 60 >= self.unpaid_break_from_hours
            and self.unpaid_break_minutes
        ):
            problems.append(
                (
                    join_path(prefix, "unpaid_break_minutes"),
                    "a break as long as the shift leaves no work time",
                )
            )
        if self.min_shift_hours > self.max_shift_hours:
            problems.append(
                (
                    join_path(prefix, "min_shift_hours"),
                    f"must not exceed max_shift_hours ({self.max_shift_hours})",
                )
            )
        if self.night_start == self.night_end:
            problems.append(
                (join_path(prefix, "night_end"), "nights must not start and end at the same time")
            )
        if self.max_hours_per_week > 168:
            problems.append(
                (join_path(prefix, "max_hours_per_week"), "cannot exceed the 168 hours in a week")
            )
        if self.min_rest_hours >= 24:
            problems.append((join_path(prefix, "min_rest_hours"), "24 hours or more of rest leaves no shift"))
        if self.max_nights_per_week > 7:
            problems.append((join_path(prefix, "max_nights_per_week"), "a week has only 7 nights"))
        return problems

    @property
    def night_hours(self) -> Decimal:
        """Length of the night shift (22:00 to 07:00 -> 9 hours)."""
        minutes = (minutes_of(self.night_end) - minutes_of(self.night_start)) % (24 * 60)
        return Decimal(minutes) / Decimal(60)

    def unpaid_break_hours(self, shift_hours: Decimal) -> Decimal:
        """Unpaid break for a shift of this length.

        The seed requires it "in six to ten hour shifts"; it is silent on longer shifts, and we
        apply it to them too rather than pay a longer shift without a break.
        """
        if shift_hours >= self.unpaid_break_from_hours:
            return Decimal(self.unpaid_break_minutes) / Decimal(60)
        return Decimal(0)

    def short_break_hours(self, shift_hours: Decimal) -> Decimal:
        """The short breaks taken in a shift of this length: the seed places them mid-morning and
        afternoon without saying in which shifts; the engine gives them in the shifts that have
        the unpaid break (6 hours or more by default)."""
        if shift_hours >= self.unpaid_break_from_hours:
            return Decimal(self.short_breaks * self.short_break_minutes) / Decimal(60)
        return Decimal(0)

    def paid_hours(self, shift_hours: Decimal) -> Decimal:
        """Paid hours of a shift: its length less the unpaid break, and less the short breaks
        when the authority does not pay them."""
        unpaid = self.unpaid_break_hours(shift_hours)
        if not self.short_breaks_paid:
            unpaid += self.short_break_hours(shift_hours)
        return shift_hours - unpaid

    def is_night(self, minute_of_day: int) -> bool:
        """True if this minute of the day falls inside the night window."""
        start, end = minutes_of(self.night_start), minutes_of(self.night_end)
        if start < end:
            return start <= minute_of_day < end
        return minute_of_day >= start or minute_of_day < end


class CoverSession(EngineModel):
    """One row of a schedule of cover: from ``start`` to ``end`` with ``staff`` on duty."""

    start: time
    end: time
    staff: NonNegInt

    def check(self, prefix: str) -> list[Problem]:
        if minutes_of(self.end) <= minutes_of(self.start):
            return [(join_path(prefix, "end"), f"must be after start ({self.start:%H:%M})")]
        return []

    @property
    def hours(self) -> Decimal:
        return hours_between(self.start, self.end)

    @property
    def staff_hours(self) -> Decimal:
        return self.hours * self.staff


class ScheduleOfCover(EngineModel):
    """A likely schedule of cover over a day (seed 003 Section 6, approach b)."""

    sessions: tuple[CoverSession, ...]
    handover_hours_per_day: NonNegHours = Decimal(1)

    def check(self, prefix: str) -> list[Problem]:
        problems: list[Problem] = []
        for i, session in enumerate(self.sessions):
            problems.extend(session.check(join_path(prefix, f"sessions[{i}]")))
        ordered = sorted(range(len(self.sessions)), key=lambda i: minutes_of(self.sessions[i].start))
        for a, b in zip(ordered, ordered[1:], strict=False):
            if minutes_of(self.sessions[b].start) < minutes_of(self.sessions[a].end):
                problems.append(
                    (
                        join_path(prefix, f"sessions[{b}].start"),
                        f"overlaps session {a} (sessions must not overlap)",
                    )
                )
        return problems

    def staff_by_slot(
        self, staffing: StaffingRules, shifts: ShiftRules, slot_minutes: int = 30
    ) -> tuple[int, ...]:
        """Staff required in each slot of one day (48 half-hours by default).

        Slots the schedule does not cover get the minimum: the night minimum inside the night
        window, the day minimum outside it. This is what the rota must cover and what the
        simulation puts on shift.
        """
        if (24 * 60) % slot_minutes:
            raise SchemeInputError("slot_minutes", "must divide a day exactly")
        out: list[int] = []
        for slot in range(24 * 60 // slot_minutes):
            minute = slot * slot_minutes
            staff: int | None = None
            for session in self.sessions:
                if minutes_of(session.start) <= minute < minutes_of(session.end):
                    staff = session.staff
            if staff is None:
                staff = staffing.night_min_staff if shifts.is_night(minute) else staffing.day_min_staff
            out.append(staff)
        return tuple(out)


class ResidentGroup(EngineModel):
    """``count`` residents each needing ``hours_each`` hours of care a week (a row of the seed's table)."""

    count: NonNegInt
    hours_each: NonNegHours
    label: str = ""

    @property
    def hours(self) -> Decimal:
        return self.hours_each * self.count


class NeedBand(EngineModel):
    """A need band of a mix: its share of residents and the typical weekly hours of a resident in it."""

    name: str
    share: Annotated[Fraction, Field(ge=0, le=1)]
    hours_per_week: NonNegHours


class NeedMix(EngineModel):
    """Residents' need mix, e.g. the "thirds" principle: a third low, medium and high.

    Band boundaries are the seed's definitions: low is under 5 hours a week, medium 5 to 10,
    high over 10. Shares are fractions so that thirds sum to exactly one.
    """

    bands: tuple[NeedBand, ...]
    low_below_hours: NonNegHours = Decimal(5)
    high_above_hours: NonNegHours = Decimal(10)

    def check(self, prefix: str) -> list[Problem]:
        problems: list[Problem] = []
        if not self.bands:
            problems.append((join_path(prefix, "bands"), "at least one band is required"))
            return problems
        total = sum((b.share for b in self.bands), Fraction(0))
        if abs(total - ONE) > SHARE_TOLERANCE:
            problems.append(
                (join_path(prefix, "bands"), f"shares must sum to 1 (they sum to {float(total):.4g})")
            )
        names = [b.name for b in self.bands]
        if len(set(names)) != len(names):
            problems.append((join_path(prefix, "bands"), "band names must be different"))
        if self.low_below_hours > self.high_above_hours:
            problems.append((join_path(prefix, "high_above_hours"), "must not be below low_below_hours"))
        return problems

    def band_of(self, hours_per_week: Decimal) -> str:
        """The seed's band for a weekly care package: low (<5), medium (5-10) or high (>10)."""
        if hours_per_week < self.low_below_hours:
            return "low"
        if hours_per_week > self.high_above_hours:
            return "high"
        return "medium"

    def mean_hours(self) -> Decimal:
        """Average weekly hours per resident under this mix."""
        return sum(
            (
                Decimal(b.share.numerator) * b.hours_per_week / Decimal(b.share.denominator)
                for b in self.bands
            ),
            Decimal(0),
        )

    def groups_for(self, occupants: int) -> tuple[ResidentGroup, ...]:
        """Whole residents per band by largest remainder (ties go to the later, higher band).

        Why: 40 residents in thirds is 13.33 each; the seed's table has 13 low, 13 medium and
        14 high, which is what largest remainder with ties to the higher band gives.
        """
        exact = [b.share * occupants for b in self.bands]
        counts = [int(x) for x in exact]
        left = occupants - sum(counts)
        order = sorted(range(len(exact)), key=lambda i: (exact[i] - counts[i], i), reverse=True)
        for i in order[:left]:
            counts[i] += 1
        return tuple(
            ResidentGroup(count=c, hours_each=b.hours_per_week, label=b.name)
            for c, b in zip(counts, self.bands, strict=True)
        )


class OccupancyPoint(EngineModel):
    """From ``on`` onwards, ``occupied_flats`` flats are let (a step in the scheme's fill-up)."""

    on: date
    occupied_flats: NonNegInt


class CoreRules(EngineModel):
    """Core (block) cover in a core-and-add-on model (seed 003 Section 6, "Core and add-on").

    Defaults are the seed's: one carer on site round the clock, split 16 daytime and 8 night
    hours, an hour of handover a day, and 40 of the daytime hours kept for management and
    floating (emergency) time.
    """

    staff_on_site: Annotated[int, Field(ge=1)] = 1
    day_hours_per_day: NonNegHours = Decimal(16)
    night_hours_per_night: NonNegHours = Decimal(8)
    handover_hours_per_day: NonNegHours = Decimal(1)
    management_floating_hours_per_week: NonNegHours = Decimal(40)
    days_per_week: Annotated[int, Field(ge=1, le=7)] = 7

    def check(self, prefix: str) -> list[Problem]:
        problems: list[Problem] = []
        if self.day_hours_per_day + self.night_hours_per_night > 24:
            problems.append(
                (
                    join_path(prefix, "night_hours_per_night"),
                    "day plus night hours exceed the 24 hours in a day",
                )
            )
        day_total = self.staff_on_site * self.day_hours_per_day * self.days_per_week
        if self.management_floating_hours_per_week > day_total:
            problems.append(
                (
                    join_path(prefix, "management_floating_hours_per_week"),
                    f"exceeds the core's daytime hours ({day_total})",
                )
            )
        return problems


class Scheme(EngineModel):
    """An Extra Care Housing scheme: its flats, fill-up, residents' needs and staffing rules."""

    name: str = "Scheme"
    flats: Annotated[int, Field(ge=1)]
    occupancy: tuple[OccupancyPoint, ...] = ()
    residents: tuple[ResidentGroup, ...] = ()
    need_mix: NeedMix | None = None
    staffing: StaffingRules = StaffingRules()
    shifts: ShiftRules = ShiftRules()
    schedule: ScheduleOfCover | None = None
    core: CoreRules = CoreRules()

    def check(self, prefix: str) -> list[Problem]:
        problems: list[Problem] = []
        problems.extend(self.staffing.check(join_path(prefix, "staffing")))
        problems.extend(self.shifts.check(join_path(prefix, "shifts")))
        problems.extend(self.core.check(join_path(prefix, "core")))
        if self.need_mix is not None:
            problems.extend(self.need_mix.check(join_path(prefix, "need_mix")))
        if self.schedule is not None:
            problems.extend(self.schedule.check(join_path(prefix, "schedule")))
        points = [(p.on, p.occupied_flats) for p in self.occupancy]
        problems.extend(_occupancy_problems(prefix, self.flats, points))
        return problems

    @classmethod
    def raw_problems(cls, data: dict[str, Any]) -> list[Problem]:
        try:
            flats: int | None = int(data["flats"])
        except (KeyError, TypeError, ValueError):
            flats = None
        points: list[tuple[date | None, int | None]] = []
        for raw in data.get("occupancy") or ():
            points.append((_read(raw, "on", _as_date), _read(raw, "occupied_flats", int)))
        return _occupancy_problems("", flats, points)

    def occupied_on(self, day: date) -> int:
        """Flats let on ``day``: the last step on or before it; 0 before the first; all if no steps."""
        if not self.occupancy:
            return self.flats
        occupied = 0
        for point in self.occupancy:
            if point.on <= day:
                occupied = point.occupied_flats
        return occupied

    @property
    def resident_count(self) -> int:
        return sum(g.count for g in self.residents)


def _read(raw: Any, name: str, convert: Any) -> Any:
    value = raw.get(name) if isinstance(raw, dict) else getattr(raw, name, None)
    try:
        return None if value is None else convert(value)
    except (TypeError, ValueError):
        return None


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _occupancy_problems(
    prefix: str, flats: int | None, points: Sequence[tuple[date | None, int | None]]
) -> list[Problem]:
    problems: list[Problem] = []
    for i, (on, occupied) in enumerate(points):
        if flats is not None and occupied is not None and occupied > flats:
            problems.append(
                (
                    join_path(prefix, f"occupancy[{i}].occupied_flats"),
                    f"{occupied} occupied is more than the {flats} flats",
                )
            )
        before = points[i - 1][0] if i else None
        if on is not None and before is not None and on <= before:
            problems.append((join_path(prefix, f"occupancy[{i}].on"), "dates must be in increasing order"))
    return problems


def parse_scheme(data: dict[str, Any]) -> Scheme:
    """Build a :class:`Scheme` from plain data (a form, JSON or YAML); raises :class:`SchemeInputError`."""
    return Scheme(**data)
