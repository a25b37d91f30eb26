"""The worked example of seed 003 Section 6 ("How much care?") as engine inputs.

Kept as data so tests, docs, the benchmark and a demo scheme page all use the same figures
the commissioner can check against the published guidance: a 40-flat scheme, the thirds
principle, 2 staff by day, 1 at night, 1 hour of handover a day and a 37-hour team leader.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from fractions import Fraction

from .model import (
    CoreRules,
    CoverSession,
    NeedBand,
    NeedMix,
    ResidentGroup,
    ScheduleOfCover,
    Scheme,
    ShiftRules,
    StaffingRules,
)

SEED_FLATS = 40

SEED_STAFFING = StaffingRules()
"""2 staff x 14 h by day, 1 x 10 h at night, 1 h handover a day, 37 h care team leader."""

SEED_SHIFTS = ShiftRules()
"""The seed's shift rules: a 30-minute unpaid break in 6-10 hour shifts, two 15-minute short breaks,
nights 22:00-07:00. Whether the short breaks are paid is not the seed's: the engine's default pays
them, and an authority may choose otherwise (``short_breaks_paid``)."""

SEED_RESIDENTS: tuple[ResidentGroup, ...] = (
    ResidentGroup(count=13, hours_each=Decimal(3), label="low"),
    ResidentGroup(count=13, hours_each=Decimal("7.5"), label="medium"),
    ResidentGroup(count=7, hours_each=Decimal(13), label="high"),
    ResidentGroup(count=5, hours_each=Decimal(15), label="high"),
    ResidentGroup(count=2, hours_each=Decimal(20), label="high"),
)
"""The seed's table: 13 x 3, 13 x 7.5, 7 x 13, 5 x 15, 2 x 20 = 342.5 hours a week."""

SEED_NEED_MIX = NeedMix(
    bands=(
        NeedBand(name="low", share=Fraction(1, 3), hours_per_week=Decimal(3)),
        NeedBand(name="medium", share=Fraction(1, 3), hours_per_week=Decimal("7.5")),
        NeedBand(name="high", share=Fraction(1, 3), hours_per_week=Decimal(15)),
    )
)
"""Thirds, with typical hours per band for what-ifs (other occupancies, other shares).

Low 3 h and medium 7.5 h are the seed's; the seed's high band is a spread (7 x 13, 5 x 15,
2 x 20 h, mean 206/14), and 15 h, its median, stands in for it. For the seed's exact figures
use :data:`SEED_RESIDENTS`.
"""

SEED_SCHEDULE = ScheduleOfCover(
    sessions=(
        CoverSession(start=time(7, 30), end=time(10, 0), staff=5),
        CoverSession(start=time(10, 0), end=time(12, 0), staff=2),
        CoverSession(start=time(12, 0), end=time(14, 0), staff=4),
        CoverSession(start=time(14, 0), end=time(18, 0), staff=2),
        CoverSession(start=time(18, 0), end=time(22, 0), staff=4),
    ),
    handover_hours_per_day=Decimal(1),
)
"""The seed's likely schedule of cover: 12.5 + 4 + 8 + 8 + 16 + 1 handover = 49.5 staff hours a day."""

SEED_CORE = CoreRules()
"""Core block: 56 night + 112 day + 7 handover = 175 hours, 40 of the day hours management/floating."""

SEED_WORKING_TARGET = Decimal(400)
"""The seed's judgement: "400 contact hours per week seems a reasonable working target"."""

SEED_TOP_UP_BLOCK = Decimal(50)


def seed_scheme() -> Scheme:
    """The seed's 40-unit scheme with its residents, schedule of cover and core rules."""
    return Scheme(
        name="Housing LIN worked example",
        flats=SEED_FLATS,
        residents=SEED_RESIDENTS,
        need_mix=SEED_NEED_MIX,
        staffing=SEED_STAFFING,
        shifts=SEED_SHIFTS,
        schedule=SEED_SCHEDULE,
        core=SEED_CORE,
    )
