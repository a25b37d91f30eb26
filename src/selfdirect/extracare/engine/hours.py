"""Weekly care hours for a scheme, reproducing seed 003 Section 6 ("How much care?") exactly.

Each calculator returns an :class:`HoursBreakdown` whose lines are the seed's working, so a
scheme page can show "2 staff x 14 h x 7 days = 196" rather than a bare 310. Inputs are the
model objects (``StaffingRules``, ``ScheduleOfCover``...) with the seed's figures as defaults;
``selfdirect.extracare.engine.seed`` holds the worked example.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

from selfdirect.core.dates import add_months

from .breakdown import HoursBreakdown, Line, Subtotal, fmt_hours
from .errors import SchemeInputError
from .model import CoreRules, NeedBand, NeedMix, ResidentGroup, ScheduleOfCover, StaffingRules

H = fmt_hours
# Only its band boundaries (low <5 h, high >10 h) are used, to label the seed's table by band.
_SEED_BANDS = NeedMix(bands=(NeedBand(name="all", share=Fraction(1), hours_per_week=Decimal(0)),))


def _days(n: int) -> str:
    return f"{n} days" if n != 1 else "1 day"


def night_cover_line(staffing: StaffingRules) -> Line:
    """Night cover for a week: night staff x night hours x days (seed: 10 h x 7 = 70)."""
    hours = staffing.night_min_staff * staffing.night_hours_per_night * staffing.days_per_week
    staff = "" if staffing.night_min_staff == 1 else f"{staffing.night_min_staff} staff x "
    return Line(
        "Night cover",
        hours,
        f"{staff}{H(staffing.night_hours_per_night)} h x {_days(staffing.days_per_week)}",
    )


def team_leader_line(staffing: StaffingRules, *, counted: bool = True) -> Line:
    """The care team leader / floating time line (seed: 37 hours)."""
    return Line(
        "Care team leader / floating time",
        staffing.team_leader_hours_per_week,
        "hours a week, not tied to care packages",
        counts_to_total=counted,
    )


def minimum_block(staffing: StaffingRules | None = None, *, phased: bool = False) -> HoursBreakdown:
    """Minimum block contract (seed: 196 + 70 + 7 + 37 = 310; 273 when phased).

    Why ``phased``: while a new scheme fills, the seed lets the care team leader's hours
    "form part of the minimum 2 person cover", so they are not added (310 - 37 = 273).
    """
    s = staffing or StaffingRules()
    day = s.day_min_staff * s.day_hours_per_day * s.days_per_week
    lines = [
        Line(
            "Day time cover",
            day,
            f"{s.day_min_staff} staff x {H(s.day_hours_per_day)} h x {_days(s.days_per_week)}",
        ),
        night_cover_line(s),
        Line(
            "Handover time",
            s.handover_hours_per_day * s.days_per_week,
            f"{H(s.handover_hours_per_day)} h x {_days(s.days_per_week)}",
        ),
    ]
    notes: list[str] = []
    if phased:
        lines.append(
            Line(
                "Care team leader (within the 2-person day cover while the scheme fills)",
                s.team_leader_hours_per_week,
                "counted as part of day time cover",
                counts_to_total=False,
            )
        )
        notes.append("Phased: for the first month or two the team leader is one of the two day staff.")
        title = "Minimum block contract, phased in"
    else:
        lines.append(team_leader_line(s))
        title = "Minimum block contract"
    return HoursBreakdown(title, tuple(lines), notes=tuple(notes))


def thirds_estimate(
    residents: Sequence[ResidentGroup],
    staffing: StaffingRules | None = None,
    *,
    bands: NeedMix | None = None,
) -> HoursBreakdown:
    """Estimate from residents' care packages (seed: 342.5 contact, 412.5 with nights, 449.5 in all).

    Contact hours are the sum of each group's count x weekly hours; then the night cover and
    the care team leader are added, as in the seed's "thirds principle" example.
    """
    s = staffing or StaffingRules()
    mix = bands or _SEED_BANDS
    if not residents:
        raise SchemeInputError("residents", "at least one group of residents is needed for an estimate")
    lines = [
        Line(
            f"{g.label + ': ' if g.label else ''}{g.count} occupants x {H(g.hours_each)} h",
            g.hours,
            f"{g.count} x {H(g.hours_each)}",
        )
        for g in residents
    ]
    contact = sum((g.hours for g in residents), Decimal(0))
    night = night_cover_line(s)
    lines.append(night)
    lines.append(team_leader_line(s))
    notes = [f"{sum(g.count for g in residents)} occupants in all."]
    counts: dict[str, int] = {}
    for g in residents:
        band = mix.band_of(g.hours_each)
        counts[band] = counts.get(band, 0) + g.count
    lo, hi = H(mix.low_below_hours), H(mix.high_above_hours)
    by_band = ", ".join(f"{k} {v}" for k, v in counts.items())
    notes.append(f"By band (low <{lo} h, medium {lo}-{hi} h, high >{hi} h): {by_band}.")
    return HoursBreakdown(
        "Estimate from residents' care needs (thirds principle)",
        tuple(lines),
        subtotals=(
            Subtotal("contact", "Contact hours for all occupants", contact),
            Subtotal("with_nights", "Plus night hours", contact + night.hours),
            Subtotal(
                "with_team_leader",
                "Plus care team leader",
                contact + night.hours + s.team_leader_hours_per_week,
            ),
        ),
        notes=tuple(notes),
    )


def estimate_from_need_mix(
    occupants: int, mix: NeedMix, staffing: StaffingRules | None = None
) -> HoursBreakdown:
    """Estimate from a need mix (shares and typical hours per band) for a number of occupants."""
    if occupants < 0:
        raise SchemeInputError("occupants", f"must not be negative (got {occupants})")
    return thirds_estimate(mix.groups_for(occupants), staffing, bands=mix)


def schedule_of_cover(schedule: ScheduleOfCover, staffing: StaffingRules | None = None) -> HoursBreakdown:
    """Hours from a likely schedule of cover (seed: 49.5 a day, 346.5 a week, 416.5, 453.5).

    Session lines are per day and not added directly; the week is the day total x days,
    then night cover and the care team leader are added as in the seed.
    """
    s = staffing or StaffingRules()
    lines = [
        Line(
            f"{x.start:%H:%M}-{x.end:%H:%M}",
            x.staff_hours,
            f"{H(x.hours)} h x {x.staff} staff, per day",
            counts_to_total=False,
        )
        for x in schedule.sessions
    ]
    lines.append(Line("Handover time", schedule.handover_hours_per_day, "per day", counts_to_total=False))
    per_day = sum((x.staff_hours for x in schedule.sessions), Decimal(0)) + schedule.handover_hours_per_day
    per_week = per_day * s.days_per_week
    lines.append(Line("Day cover for the week", per_week, f"{H(per_day)} h x {_days(s.days_per_week)}"))
    night = night_cover_line(s)
    lines.append(night)
    lines.append(team_leader_line(s))
    return HoursBreakdown(
        "Likely schedule of cover",
        tuple(lines),
        subtotals=(
            Subtotal("per_day", "Total staff hours per day", per_day),
            Subtotal("per_week", "Per week", per_week),
            Subtotal("with_nights", "Plus night hours", per_week + night.hours),
            Subtotal(
                "with_team_leader",
                "Plus care team leader",
                per_week + night.hours + s.team_leader_hours_per_week,
            ),
        ),
    )


def core_and_add_on(
    core: CoreRules | None = None, *, planned_care_demand: Decimal | None = None
) -> HoursBreakdown:
    """Core block in a core-and-add-on model (seed: 175 = 56 night + 112 day + 7 handover).

    Of the daytime hours the seed keeps 40 for management and floating time; the rest (72)
    can deliver planned care bought with personal budgets. Given the residents' planned-care
    demand, the add-on is what the core cannot deliver and must be bought on top.
    """
    c = core or CoreRules()
    night = c.staff_on_site * c.night_hours_per_night * c.days_per_week
    day = c.staff_on_site * c.day_hours_per_day * c.days_per_week
    staff = f"{c.staff_on_site} staff x " if c.staff_on_site != 1 else ""
    lines = [
        Line("Night cover", night, f"{staff}{H(c.night_hours_per_night)} h x {_days(c.days_per_week)}"),
        Line("Day time cover", day, f"{staff}{H(c.day_hours_per_day)} h x {_days(c.days_per_week)}"),
        Line(
            "Handover time",
            c.handover_hours_per_day * c.days_per_week,
            f"{H(c.handover_hours_per_day)} h x {_days(c.days_per_week)}",
        ),
        Line(
            "of which management and floating time (within day time cover)",
            c.management_floating_hours_per_week,
            "not added again",
            counts_to_total=False,
        ),
    ]
    planned = day - c.management_floating_hours_per_week
    subtotals = [
        Subtotal("management_floating", "Management and floating time", c.management_floating_hours_per_week),
        Subtotal("planned_capacity", "Day hours available for planned care", planned),
    ]
    notes = ["Additional care is spot-purchased by the council or residents, on-site or off-site."]
    if planned_care_demand is not None:
        if planned_care_demand < 0:
            raise SchemeInputError("planned_care_demand", f"must not be negative (got {planned_care_demand})")
        add_on = max(Decimal(0), planned_care_demand - planned)
        lines.append(
            Line(
                "Add-on planned care to buy on top of the core",
                add_on,
                f"{H(planned_care_demand)} h demand - {H(planned)} h in the core",
                counts_to_total=False,
            )
        )
        subtotals.append(Subtotal("add_on", "Add-on hours", add_on))
    return HoursBreakdown("Core (block contracted) cover", tuple(lines), tuple(subtotals), tuple(notes))


def top_up(
    target: Decimal = Decimal(400), minimum: Decimal = Decimal(310), block_hours: Decimal = Decimal(50)
) -> HoursBreakdown:
    """Top-up of the minimum block towards a working target, in whole blocks (seed: about 100 on top of 310).

    The seed assumes "a minimum block contract topped up by additional blocks of 50": the gap
    from 310 to the 400-hour working target is 90, which is two blocks, i.e. 100 hours.
    """
    problems = [
        (n, f"must not be negative (got {v})") for n, v in (("target", target), ("minimum", minimum)) if v < 0
    ]
    if block_hours <= 0:
        problems.append(("block_hours", f"must be more than 0 (got {block_hours})"))
    if problems:
        raise SchemeInputError(problems=problems)
    gap = max(Decimal(0), target - minimum)
    blocks = int((gap / block_hours).to_integral_value(rounding=ROUND_CEILING))
    added = block_hours * blocks
    lines = (
        Line("Minimum block contract", minimum),
        Line("Gap to the working target", gap, f"{H(target)} - {H(minimum)}", counts_to_total=False),
        Line("Top-up blocks", added, f"{blocks} x {H(block_hours)} h"),
    )
    return HoursBreakdown(
        "Top-up of the minimum block",
        lines,
        (Subtotal("gap", "Gap to target", gap), Subtotal("top_up", "Top-up hours", added)),
        (f"About {H(added)} hours on top of the minimum block of {H(minimum)} hours.",),
    )


@dataclass(frozen=True)
class PhaseStep:
    """From ``starts_on`` the block is ``weekly_hours`` a week."""

    starts_on: date
    weekly_hours: Decimal
    label: str


@dataclass(frozen=True)
class PhasingPlan(HoursBreakdown):
    """Steps of the block as a scheme fills; ``total`` is the final weekly hours."""

    steps: tuple[PhaseStep, ...] = ()

    def weekly_hours_on(self, day: date) -> Decimal:
        """Block hours a week in force on ``day`` (0 before opening)."""
        hours = Decimal(0)
        for step in self.steps:
            if step.starts_on <= day:
                hours = step.weekly_hours
        return hours


def phasing_plan(
    opening: date,
    *,
    minimum: Decimal = Decimal(310),
    target: Decimal = Decimal(400),
    step_hours: Decimal = Decimal(50),
    months_between: int = 1,
    phased_start: Decimal | None = None,
) -> PhasingPlan:
    """Phase the block in (seed: the minimum, then 50 more a month or so later, then the full 400).

    ``opening`` is passed in: the engine never reads today's date. ``phased_start`` (e.g.
    273, the phased minimum) optionally comes first, for the "first month or two".
    """
    problems = []
    if step_hours <= 0:
        problems.append(("step_hours", f"must be more than 0 (got {step_hours})"))
    if months_between < 0:
        problems.append(("months_between", f"must not be negative (got {months_between})"))
    if target < minimum:
        problems.append(("target", f"must not be below the minimum ({minimum})"))
    if phased_start is not None and phased_start > minimum:
        problems.append(("phased_start", f"must not exceed the minimum ({minimum})"))
    if problems:
        raise SchemeInputError(problems=problems)
    steps: list[PhaseStep] = []
    k = 0
    if phased_start is not None:
        steps.append(
            PhaseStep(opening, phased_start, "Phased minimum (team leader within the 2-person cover)")
        )
        k += 1
    steps.append(PhaseStep(add_months(opening, k * months_between), minimum, "Minimum block contract"))
    current = minimum
    while current < target:
        current = min(current + step_hours, target)
        k += 1
        when = add_months(opening, k * months_between)
        steps.append(
            PhaseStep(
                when, current, "Full working target" if current == target else f"+{H(step_hours)} hours"
            )
        )
    lines = tuple(
        Line(
            f"From {st.starts_on:%-d %B %Y}: {st.label}",
            st.weekly_hours,
            counts_to_total=i == len(steps) - 1,
        )
        for i, st in enumerate(steps)
    )
    return PhasingPlan("Phasing in the block", lines, steps=tuple(steps))
