"""Bands (B&NES style): a points score selects a band, the band gives hours a week (the policy
says which figure of its range), times an hourly rate, for a year."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from ..money import CENTI, SCORE_SCALE, IntArray, format_fp, format_number, format_rate, scaled
from ..schema import Band, BandsMethod, RateByAnswer
from .common import (
    UNCHOSEN_HOURLY_RATE,
    AllocationMethod,
    Everyone,
    Loc,
    OnePerson,
    Part,
    PolicyChecks,
    hours_fp,
    hours_twice_centi,
    score_text,
    year_of_hours,
)


class Bands(AllocationMethod[BandsMethod]):
    schema = BandsMethod

    # ---- calculation
    def parts(self, person: OnePerson, m: BandsMethod) -> list[Part]:
        score = person.scores.get(m.score, 0)
        band = select_band(m.bands, score)
        h2 = band_hours_twice_centi(band, m.hours_in_band)
        hourly = year_of_hours(person, m.rate, h2)
        if hourly is None:
            return [UNCHOSEN_HOURLY_RATE]
        rid, amount, fp = hourly
        return [explain(m, score, band, h2, rid, amount, person.model.weeks_per_year, fp)]

    def population(self, everyone: Everyone, m: BandsMethod, final: Mapping[str, IntArray]) -> IntArray | int:
        w = everyone.model.weeks_per_year
        bands = sorted(m.bands, key=lambda b: b.from_points)
        h2 = [band_hours_twice_centi(b, m.hours_in_band) for b in bands]
        score = everyone.score(m.score)
        starts = [scaled(b.from_points, SCORE_SCALE) for b in bands]
        info = np.iinfo(score.dtype)
        if not all(info.min <= s <= info.max for s in starts):
            score = score.astype(np.int64)
        # band index = (how many band starts are <= the score) - 1, at least 0
        idx: npt.NDArray[np.signedinteger[Any]]
        if len(starts) <= 16:  # a few comparisons beat a binary search per person
            idx = np.full(everyone.n, -1, np.int32)  # a band x answer index fits easily
            for start in starts:
                np.add(idx, score >= score.dtype.type(start), out=idx)
        else:
            idx = np.searchsorted(np.array(starts, dtype=score.dtype), score, side="right")
            np.subtract(idx, 1, out=idx)
        np.maximum(idx, 0, out=idx)
        ref = m.rate
        codes = everyone.codes(ref.question) if isinstance(ref, RateByAnswer) else None
        if isinstance(ref, RateByAnswer) and codes is not None:
            # one table of (band, answer) -> amount, worked out with the same integer formula
            default, table = everyone.rate_table_fp(ref)
            col_rates = [default] + [table.get(c, default) for c in everyone.categories(ref.question)]
            lut = np.array([hours_fp(h, r, w) for h in h2 for r in col_rates], np.int64)
            np.multiply(idx, len(col_rates), out=idx)
            np.add(idx, codes, out=idx)
            np.add(idx, 1, out=idx)
            return np.take(lut, idx)
        rate = everyone.rate_fp(ref)
        if isinstance(rate, int):
            return np.take(np.array([hours_fp(h, rate, w) for h in h2], np.int64), idx)
        return hours_fp(np.take(np.array(h2, np.int64), idx), rate, w)

    # ---- checks
    def check(self, checks: PolicyChecks, m: BandsMethod, loc: Loc, stream: str) -> None:
        checks.derived_ref(m.score, loc + ("score",))
        checks.rate(m.rate, loc + ("rate",), ("hour",))
        bands = sorted(enumerate(m.bands), key=lambda ib: ib[1].from_points)
        if not bands:
            checks.add(loc + ("bands",), "give at least one band")
            return
        for i, b in enumerate(m.bands):
            bl = loc + ("bands", i)
            checks.check_points(b.from_points, bl + ("from_points",))
            if b.below_points is not None and b.below_points <= b.from_points:
                checks.add(bl + ("below_points",), "below_points must be more than from_points")
            if b.hours_min > b.hours_max:
                checks.add(bl + ("hours_min",), "hours_min is more than hours_max")
            checks.hours(b.hours_min, bl + ("hours_min",))
            checks.hours(b.hours_max, bl + ("hours_max",))
        first_i, first = bands[0]
        if first.from_points != 0:
            checks.add(loc + ("bands", first_i, "from_points"), "the lowest band must start at 0 points")
        for (_ai, a), (bi, b) in zip(bands, bands[1:], strict=False):
            if a.below_points is None or a.below_points > b.from_points:
                checks.add(loc + ("bands", bi, "from_points"), f"band {b.id!r} overlaps band {a.id!r}")
            elif a.below_points < b.from_points:
                checks.add(
                    loc + ("bands", bi, "from_points"),
                    f"gap between band {a.id!r} (below {a.below_points}) and band {b.id!r} "
                    f"(from {b.from_points}): those scores would have no band",
                )
        last_i, last = bands[-1]
        if last.below_points is not None:
            checks.add(
                loc + ("bands", last_i, "below_points"),
                "the highest band must be open-ended (no below_points)",
            )


def select_band(bands: list[Band], score: int) -> Band:
    """The band whose range holds ``score`` (at SCORE_SCALE); the loader checked the bands cover
    every score once."""
    chosen = bands[0]
    for b in sorted(bands, key=lambda b: b.from_points):
        if score >= scaled(b.from_points, SCORE_SCALE):
            chosen = b
    return chosen


def band_hours_twice_centi(b: Band, where: str) -> int:
    """A band's hours a week (see :func:`.common.hours_twice_centi`)."""
    return hours_twice_centi(b.hours_min, b.hours_max, where)


# ---- explanation
def explain(
    m: BandsMethod, score: int, band: Band, h2: int, rid: str, amount: Decimal, w: int, fp: int
) -> Part:
    hours = Decimal(h2) / (2 * CENTI)
    rng = (
        f"{format_number(band.hours_min)}-{format_number(band.hours_max)}"
        if band.hours_min != band.hours_max
        else format_number(band.hours_min)
    )
    return Part(
        "band",
        f"Your needs fit the band '{band.label}' ({rng} hours a week). We use {format_number(hours)} "
        f"hours a week at {format_rate(amount)} an hour for {w} weeks.",
        f"{m.score} = {score_text(score)} points -> band {band.id} ({band.label}, "
        f"{rng} h/wk, {m.hours_in_band} = {format_number(hours)} h) "
        f"x {rid} {format_rate(amount)}/h "
        f"x {w} weeks = {format_fp(fp)}",
        fp,
    )


METHOD = Bands()
