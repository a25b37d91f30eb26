"""The report: every indicator as a :class:`Table` with its definition, built from queries.py.

A table's cells are raw values (counts, integer pence, Decimal percentages, days, or None when
there is nothing to divide by), so pages, CSV/XLSX, open data, the API and the CLI all show
the same figures, formatted at the edge.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from selfdirect.core import words
from selfdirect.core.dates import month_name, parse_month
from selfdirect.core.models import Authority
from selfdirect.core.money import format_pence
from selfdirect.ledger.constants import Route
from selfdirect.people.constants import ClientGroup, Sex
from selfdirect.plans.constants import PanelDecision, RefusalReason

from . import queries
from .models import DEFAULT_TARGET_PERCENT, ReportingSettings, TakeUpSnapshot
from .queries import Scope

Cell = int | Decimal | str | None
NI142_CODES = queries.NI142_CODES
"""Supporting People outcome 'maintain accommodation and avoid eviction': the closest recorded
measure of NI 142 (people supported to establish and maintain independent living)."""


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


def parse_period(text: str) -> Period:
    """A month ("May 2026", "2026-05": see core.dates.MONTH_FORMATS) or a calendar year ("2026");
    its label is the key ("2026-05", "2026")."""
    text = (text or "").strip()
    try:
        if len(text) == 4:
            year = int(text)
            return Period(text, dt.date(year, 1, 1), dt.date(year, 12, 31))
        start = parse_month(text)
        last = calendar.monthrange(start.year, start.month)[1]
        return Period(f"{start:%Y-%m}", start, start.replace(day=last))
    except (ValueError, TypeError) as exc:
        raise PeriodError(f"period: enter a month like May 2026 or a year like 2026, not {text!r}") from exc


def is_month(label: str) -> bool:
    """Whether a period's label names a month (2026-05), not a year (2026)."""
    return len(label) == 7


def current_period(today: dt.date | None = None) -> Period:
    today = today or dt.date.today()
    return parse_period(f"{today:%Y-%m}")


def share(part: int, whole: int) -> Decimal | None:
    """Part of whole as a percentage to one decimal place; None when whole is nothing."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def round_pence(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Column:
    label: str
    kind: str = "count"  # text, count, pence, percent, days


@dataclass
class Table:
    key: str
    title: str
    definition: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: tuple[int, int] | None = None  # (label column, value column) to draw
    chart_beside: int | None = None  # a second value column (same kind) drawn beside the first
    chart_rows: int | None = None  # draw only the first rows (the rest share another base)
    cohorts: list[str | None] = field(default_factory=list)  # drill-down name per row
    cell_cohorts: dict[int, list[str | None]] = field(default_factory=dict)
    """Drill-down names for another column's cells: column index -> name per row (the row's
    own ``cohorts`` link its first figure)."""
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.rows


@dataclass
class Report:
    authority: Authority
    period: Period
    scope: Scope
    target: Decimal
    target_source: str
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def target_for(authority: Authority) -> tuple[Decimal, str]:
    s = ReportingSettings.objects.filter(authority=authority).first()
    if s is None:
        return DEFAULT_TARGET_PERCENT, "Default: 30% of eligible people on personal budgets, the national target of April 2011"
    return s.pb_target_percent, s.target_source


def _month_ends(end: dt.date, count: int = 12) -> list[dt.date]:
    out = []
    year, month = end.year, end.month
    for _ in range(count):
        out.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(out))


def eligible_text(scope: Scope, days: list[dt.date]) -> str:
    """What 'eligible' meant on ``days``: the FACS bands the authority's allocation policy in force
    funded (each version named), or the default where none was in force."""
    by_rule: dict[queries.FundedBands, list[dt.date]] = {}
    for day in days:
        by_rule.setdefault(scope.funded_bands(day), []).append(day)
    parts = []
    for funded, when in by_rule.items():
        bands = _or_list(funded.bands)
        dates = "" if len(by_rule) == 1 else f" ({_dates(when)})"
        if funded.version:
            parts.append(f"FACS band {bands}, the bands funded by {funded.version}{dates}")
        else:
            parts.append(
                f"FACS band {bands}{dates}: no allocation policy of the authority was in force, so the "
                "bands most councils funded are used (as the Individual Budget pilot sites reported)"
            )
    return f"Eligible: {'; '.join(parts)}."


def _or_list(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _dates(days: list[dt.date]) -> str:
    first, last = f"{days[0]:%-d %B %Y}", f"{days[-1]:%-d %B %Y}"
    return first if first == last else f"{first} to {last}"


PB_TEXT = (
    "On a personal budget: an agreed or active ledger budget running on the date, or an active support plan."
)
DP_TEXT = "On a direct payment: a running budget with a direct payment among its deployment routes."


def take_up_table(scope: Scope, target: Decimal, target_source: str) -> Table:
    t = queries.take_up(scope, scope.end)
    e, pb, dp = t["eligible"], t["personal_budget"], t["direct_payment"]
    table = Table(
        "take_up",
        TITLES["take_up"],
        f"{eligible_text(scope, [scope.end])} {PB_TEXT} {DP_TEXT} Counted at the end of the period. "
        f"Target: {target}% of eligible people on a personal budget ({target_source}).",
        [
            Column("Measure", "text"),
            Column("People"),
            Column("Share of eligible", "percent"),
            Column("Target", "percent"),
        ],  # fmt: skip
        chart=(0, 2),
    )
    if e:
        table.rows = [
            ["Eligible people", e, share(e, e), None],
            ["On a personal budget", pb, share(pb, e), target],
            ["On a direct payment", dp, share(dp, e), None],
        ]
        table.cohorts = ["eligible", "personal_budget", "direct_payment"]
        pb_share = share(pb, e) or Decimal(0)
        met = "meets" if pb_share >= target else "is below"
        table.note = (
            f"{pb_share}% of eligible people are on a personal budget, which {met} the {target}% target."
        )
    return table


def trend_table(scope: Scope) -> Table:
    ends = _month_ends(scope.end)
    table = Table(
        "trend",
        TITLES["trend"],
        f"At each month's end: {eligible_text(scope, ends)} {PB_TEXT} {DP_TEXT}",
        [
            Column("Month", "text"),
            Column("Eligible"),
            Column("On a personal budget"),
            Column("Share on a personal budget", "percent"),
            Column("On a direct payment"),
        ],  # fmt: skip
        chart=(0, 3),
    )
    stored = {} if queries.filtered(scope) else snapshots(scope.authority, ends)
    if stored:
        table.definition += (
            " For the whole authority, months whose report pack has been made show the figures as "
            "recorded then."
        )
    rows: list[list[Cell]] = []
    for end in ends:
        t = stored.get(end) or queries.take_up(scope, end)
        rows.append([month_name(end), t["eligible"], t["personal_budget"],
                     share(t["personal_budget"], t["eligible"]), t["direct_payment"]])  # fmt: skip
    if any(r[1] for r in rows):
        table.rows = rows
    return table


def snapshots(authority: Authority, ends: list[dt.date]) -> dict[dt.date, dict[str, int]]:
    found = TakeUpSnapshot.objects.filter(authority=authority, month_end__in=ends)
    return {
        s.month_end: {
            "eligible": s.eligible,
            "personal_budget": s.personal_budget,
            "direct_payment": s.direct_payment,
        }
        for s in found
    }


def store_snapshots(authority: Authority, period: Period, today: dt.date) -> int:
    """Store the whole authority's take-up at each month's end of the trend to ``period``'s end
    that has passed and is not stored yet (the monthly pack does this); returns how many."""
    scope = Scope(authority, period.start, period.end)
    ends = [e for e in _month_ends(period.end) if e < today]
    have = set(snapshots(authority, ends))
    made = 0
    for end in ends:
        if end in have:
            continue
        t = queries.take_up(scope, end)
        TakeUpSnapshot.objects.get_or_create(authority=authority, month_end=end, defaults=t)
        made += 1
    return made


def route_table(scope: Scope) -> Table:
    labels = dict(Route.choices)
    rows = queries.people_by_route(scope)
    return Table(
        "routes",
        TITLES["routes"],
        "People with a budget running in the period, by who holds the money; someone who mixes "
        "routes is counted once in each.",
        [Column("Route", "text"), Column("People")],
        [[labels.get(r["route"], r["route"]), r["people"]] for r in rows],
        chart=(0, 1),
        cohorts=[f"route_{r['route']}" for r in rows],
    )


def stream_table(scope: Scope) -> Table:
    rows = queries.people_by_stream(scope)
    return Table(
        "streams",
        TITLES["streams"],
        "People with an agreed or active budget from the stream running in the period, and the "
        "stream's agreed annual total.",
        [Column("Funding stream", "text"), Column("People"), Column("Agreed a year", "pence")],
        [[words.label("stream", scope.authority, r["stream"]), r["people"], r["agreed"] or 0] for r in rows],
        chart=(0, 1),
        cohorts=[f"stream_{r['stream']}" if _slug_safe(r["stream"]) else None for r in rows],
    )


def _slug_safe(code: str) -> bool:
    """Whether a code can stand in a drill-down address (letters, digits, - and _)."""
    return bool(code) and all(c.isascii() and (c.isalnum() or c in "-_") for c in code)


def reviews_table(scope: Scope) -> Table:
    r = queries.reviews(scope)
    table = Table(
        "reviews",
        TITLES["reviews"],
        "Due: reviews whose due date falls in the period. Done: reviews held in the period. "
        "Overdue: due by the period's end and not held by then.",
        [Column("Reviews", "text"), Column("Number")],
        chart=(0, 1),
    )
    if any(r.values()):
        table.rows = [["Due", r["due"]], ["Done", r["done"]], ["Overdue", r["overdue"]]]
        table.cohorts = ["reviews_due", "reviews_done", "reviews_overdue"]
    return table


def panel_table(scope: Scope) -> Table:
    labels = {**dict(PanelDecision.choices), "": "Not decided yet"}
    rows = queries.panel(scope)
    return Table(
        "panel",
        TITLES["panel"],
        "Plans referred in the period, by the panel's decision.",
        [Column("Decision", "text"), Column("Plans")],
        [[labels.get(r["decision"], r["decision"]), r["plans"]] for r in rows],
        chart=(0, 1),
        cohorts=[f"panel_{r['decision'] or 'undecided'}" for r in rows],
    )


def refusals_table(scope: Scope) -> Table:
    r = queries.refusals(scope)
    table = Table(
        "refusals",
        TITLES["refusals"],
        "Recorded: people who declined a personal budget in the period (offers at first "
        "contact and at reviews). Follow-ups due: refusals whose check-back date is by the period's "
        "end; done: of those, followed up by then (Lincolnshire's practice of checking back).",
        [Column("Refusals", "text"), Column("Number"), Column("Share of follow-ups due", "percent")],
    )
    if any(r.values()):
        table.rows = [
            ["Recorded in the period", r["recorded"], None],
            ["Follow-ups due", r["follow_ups_due"], None],
            ["Follow-ups done", r["followed_up"], share(r["followed_up"], r["follow_ups_due"])],
        ]
        table.cohorts = ["refusals_recorded", "refusals_open", None]
    return table


def offers_table(scope: Scope) -> Table:
    first = queries.offers(scope)
    first_f = queries.offer_follow_ups(scope)
    review = queries.review_offers(scope)
    reasons = dict(RefusalReason.choices)
    table = Table(
        "offers",
        TITLES["offers"],
        "Good practice from the pilots: offer a personal budget at first contact and again at reviews. "
        "At first contact: everyone referred (their record created) in the period is offered one, and counted once; "
        "by the period's end, accepted: they have a support plan at any stage or an agreed budget; "
        "declined: a refusal is recorded (not one answering an offer at a review) and they have not "
        "accepted since; the rest have not decided yet. At review: offers recorded as made at a "
        "review held in the period (of a support plan, or of traditional commissioned services), "
        "with the outcome recorded by the period's end; someone offered at two reviews counts "
        "twice. Declined, by reason: the reason recorded with the refusal (a share of those who "
        "declined). Follow-ups due: declines whose check-back date is by the period's end; done: "
        "of those, followed up by then (Lincolnshire's practice of checking back). Other shares "
        "are of the offers made.",
        [
            Column("Offers", "text"),
            Column("At first contact"),
            Column("Share at first contact", "percent"),
            Column("At review"),
            Column("Share at review", "percent"),
        ],  # fmt: skip
        chart=(0, 2),
        chart_beside=4,
        chart_rows=4,
    )
    if not first["offered"] and not review["made"]:
        return table
    f_made, r_made = first["offered"], review["made"]
    f_undecided = f_made - first["accepted"] - first["declined"]
    f_declined, r_declined = first["declined"], review["declined"]
    rows: list[tuple[str, int, int, int, int, str | None, str | None]] = [
        ("Offered", f_made, f_made, r_made, r_made, "offers_made", "offers_review_made"),
        ("Accepted", first["accepted"], f_made, review["accepted"], r_made, "offers_accepted",
         "offers_review_accepted"),
        ("Declined", f_declined, f_made, r_declined, r_made, "offers_declined", "offers_review_declined"),
        ("Not decided yet", f_undecided, f_made, review["undecided"], r_made, "offers_undecided",
         "offers_review_undecided"),
    ]  # fmt: skip
    for value, label in RefusalReason.choices:
        f_n, r_n = first_f["reasons"].get(value, 0), review["reasons"].get(value, 0)
        if f_n or r_n:
            rows.append((f"Declined: {label.lower()}", f_n, f_declined, r_n, r_declined, None, None))
    for value in set(first_f["reasons"]) | set(review["reasons"]):
        if value not in reasons:  # a reason no longer offered, still counted
            rows.append((f"Declined: {value}", first_f["reasons"].get(value, 0), f_declined,
                         review["reasons"].get(value, 0), r_declined, None, None))  # fmt: skip
    rows += [
        ("Follow-ups due", first_f["due"], f_declined, review["follow_up_due"], r_declined,
         "offers_follow_up_due", "offers_review_follow_up_due"),
        ("Follow-ups done", first_f["done"], first_f["due"], review["followed_up"], review["follow_up_due"],
         "offers_followed_up", "offers_review_followed_up"),
    ]  # fmt: skip
    table.rows = [
        [label, f, share(f, f_whole), r, share(r, r_whole)] for label, f, f_whole, r, r_whole, _, _ in rows
    ]
    table.cohorts = [row[5] for row in rows]
    table.cell_cohorts = {3: [row[6] for row in rows]}
    table.note = (
        "Shares of declined are shown for each reason and for follow-ups due; follow-ups done is "
        "a share of those due."
    )
    return table


def refusal_reasons_table(scope: Scope) -> Table:
    labels = dict(RefusalReason.choices)
    rows = queries.refusal_reasons(scope)
    return Table(
        "refusal_reasons",
        TITLES["refusal_reasons"],
        "Refusals recorded in the period (at first contact or at a review), by the reason given, "
        "and how many were followed up by the period's end (Lincolnshire checked back in the pilots).",
        [
            Column("Reason", "text"),
            Column("Declined"),
            Column("Followed up"),
            Column("Share followed up", "percent"),
        ],  # fmt: skip
        [
            [
                labels.get(r["reason"], r["reason"]),
                r["declined"],
                r["followed_up"],
                share(r["followed_up"], r["declined"]),
            ]
            for r in rows
        ],  # fmt: skip
        chart=(0, 1),
    )


def journey_table(scope: Scope) -> Table:
    d = queries.journey(scope)
    table = Table(
        "journey",
        TITLES["journey"],
        "Median days from the person's record being created (the referral) to their first "
        "assessment, first agreed budget and first payment, for people who have reached each step "
        "by the period's end.",
        [Column("Step", "text"), Column("People"), Column("Median days", "days")],
        chart=(0, 2),
    )
    steps = [("To assessment", "assessment"), ("To agreed budget", "budget"), ("To first payment", "payment")]
    if any(n for n, _ in d.values()):
        table.rows = [[label, d[key][0], d[key][1]] for label, key in steps]
        table.cohorts = [f"journey_{key}" for _, key in steps]
    return table


EQUITY_DIMENSIONS = {d: d.replace("_", " ") for d in queries.EQUITY_DIMENSIONS}
"""Each dimension of the equity tables, in words."""


def equity_table(scope: Scope, dimension: str) -> Table:
    labels: dict[str, str] = {**dict(ClientGroup.choices), **dict(Sex.choices)}
    rows = queries.allocations_by(scope, dimension)
    table = Table(
        f"equity_{dimension}",
        TITLES[f"equity_{dimension}"],
        "Each person's latest indicative budget (allocation) by the period's end. 'Same need' is "
        "what the group would average if each person got the average for their FACS band across "
        "everyone; the gap is the group's average minus that, so a negative gap means less for "
        "the same need (in the pilots the resource allocation system showed less was spent on older people).",
        [
            Column(EQUITY_DIMENSIONS[dimension].capitalize(), "text"),
            Column("People"),
            Column("Average a year", "pence"),
            Column("Average for the same need", "pence"),
            Column("Gap", "pence"),
            Column("Gap as a share", "percent"),
        ],  # fmt: skip
        chart=(0, 4),
    )
    band_n: dict[str, int] = {}
    band_t: dict[str, int] = {}
    for r in rows:
        band_n[r["facs_band"]] = band_n.get(r["facs_band"], 0) + r["people"]
        band_t[r["facs_band"]] = band_t.get(r["facs_band"], 0) + r["total"]
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        g = groups.setdefault(r["group"], {"n": 0, "total": 0, "expected": Decimal(0)})
        g["n"] += r["people"]
        g["total"] += r["total"]
        g["expected"] += Decimal(r["people"]) * Decimal(band_t[r["facs_band"]]) / band_n[r["facs_band"]]
    for name, g in groups.items():
        avg = Decimal(g["total"]) / g["n"]
        expected = g["expected"] / g["n"]
        gap = avg - expected
        table.rows.append([labels.get(name, name), g["n"], round_pence(avg), round_pence(expected),
                           round_pence(gap), (gap * 100 / expected).quantize(Decimal("0.1")) if expected else None])  # fmt: skip
        key = queries.group_key(name) if dimension == "age_band" else name
        table.cohorts.append(f"equity_{dimension}_{key}" if _slug_safe(key or "") else None)
    if groups:
        n, total = sum(band_n.values()), sum(band_t.values())
        table.note = f"Overall average: {format_pence(round_pence(Decimal(total) / n))} a year for {n} people."
    return table


def outcomes_table(scope: Scope) -> Table:
    rows = queries.outcomes(scope)
    return Table(
        "outcomes",
        TITLES["outcomes"],
        "Answers at reviews held in the period on personal outcomes linked to a framework outcome; "
        "achieved means the person said mostly or fully.",
        [
            Column("Framework", "text"),
            Column("Outcome", "text"),
            Column("Answers"),
            Column("Achieved"),
            Column("Share achieved", "percent"),
        ],  # fmt: skip
        [
            [
                r["framework"],
                f"{r['code']}: {r['title']}",
                r["answers"],
                r["achieved"],
                share(r["achieved"], r["answers"]),
            ]
            for r in rows
        ],  # fmt: skip
        chart=(1, 4),
    )


def independent_living_table(scope: Scope) -> Table:
    r = queries.independent_living(scope, NI142_CODES)
    m = queries.move_ons(scope)
    table = Table(
        "independent_living",
        TITLES["independent_living"],
        "NI 141: of the people who left short-term housing-related support (supported "
        "accommodation or floating support) in the period, the share who moved on in a planned way, "
        "as recorded when they left. NI 142: people supported to establish and maintain independent "
        "living — here, people reviewed in the period on an outcome linked to "
        f"{', '.join(NI142_CODES)} (maintain accommodation and avoid eviction) who achieved it mostly "
        "or fully (the Individual Budget pilot sites linked them to NI 141 and 142, and tagged outcomes such as 'Stay Safe 4a').",
        [
            Column("Indicator", "text"),
            Column("People"),
            Column("Achieved"),
            Column("Share", "percent"),
        ],  # fmt: skip
        chart=(0, 3),
    )
    if m["left"] or r["people"]:
        table.rows = [
            ["NI 141 moved on in a planned way", m["left"], m["planned"], share(m["planned"], m["left"])],
            ["NI 142 supported to keep independent living", r["people"], r["achieved"],
             share(r["achieved"], r["people"])],
        ]  # fmt: skip
        table.cohorts = ["moved_on", "ni142"]
    return table


def money_table(scope: Scope, dimension: str) -> Table:
    title = {"stream": "funding stream", "route": "deployment route", "client_group": "client group"}[
        dimension
    ]
    labels = {**dict(Route.choices), **dict(ClientGroup.choices)}
    data = queries.money_by(scope, dimension)
    if dimension == "stream":
        labels = {code: words.label("stream", scope.authority, code) for code in data if code}
    table = Table(
        f"money_{dimension}",
        TITLES[f"money_{dimension}"],
        "Agreed a year: budgets running in the period. Paid: instalments paid in the period. Spent: "
        "spending recorded in the period. Spent as a share of paid. "
        + (
            "Payments are not split by route, so only spending is shown by route; a mixed "
            "budget's whole agreed amount counts under each of its routes."
            if dimension == "route"
            else ""
        ),
        [
            Column(title.capitalize(), "text"),
            Column("Agreed a year", "pence"),
            Column("Paid", "pence"),
            Column("Spent", "pence"),
            Column("Spent of paid", "percent"),
        ],  # fmt: skip
        chart=(0, 3),
    )
    for key in sorted(data):
        v = data[key]
        table.rows.append([labels.get(key, key) or "Not known", v["agreed"], v["paid"], v["spent"],
                           share(v["spent"], v["paid"])])  # fmt: skip
    return table


def close_table(scope: Scope) -> Table:
    c = queries.close_totals(scope)
    k = queries.contributions(scope)
    table = Table(
        "close",
        TITLES["close"],
        "From months closed in the period: unspent money, the part kept (rolled over) and the part "
        "clawed back under the ledger policy. Contributions charged in the period (net ones are "
        "deducted from payments, so collected when charged); invoiced: gross contributions billed; "
        "received: money received against invoices.",
        [Column("Measure", "text"), Column("Amount", "pence")],
    )
    if any(c.values()) or any(k.values()):
        collected = k["charged"] - k["invoiced"] + k["received"]
        table.rows = [
            ["Unspent at close", c["unspent"]],
            ["Rolled over", c["kept"]],
            ["Clawed back", c["clawed_back"]],
            ["Contributions charged (due)", k["charged"]],
            ["Contributions collected", collected],
            ["Invoiced contributions still owed", k["invoiced"] - k["received"]],
        ]
    return table


def build_report(
    authority: Authority,
    period: Period,
    *,
    client_group: str = "",
    team_id: int | None = None,
    caseload: Any = None,
    sections: tuple[str, ...] | None = None,
) -> Report:
    scope = Scope(authority, period.start, period.end, client_group, team_id, caseload)
    target, source = target_for(authority)
    builders = {
        "take_up": lambda: take_up_table(scope, target, source),
        "trend": lambda: trend_table(scope),
        "routes": lambda: route_table(scope),
        "streams": lambda: stream_table(scope),
        "reviews": lambda: reviews_table(scope),
        "panel": lambda: panel_table(scope),
        "offers": lambda: offers_table(scope),
        "refusals": lambda: refusals_table(scope),
        "refusal_reasons": lambda: refusal_reasons_table(scope),
        "journey": lambda: journey_table(scope),
        "equity_client_group": lambda: equity_table(scope, "client_group"),
        "equity_age_band": lambda: equity_table(scope, "age_band"),
        "equity_sex": lambda: equity_table(scope, "sex"),
        "outcomes": lambda: outcomes_table(scope),
        "independent_living": lambda: independent_living_table(scope),
        "money_stream": lambda: money_table(scope, "stream"),
        "money_route": lambda: money_table(scope, "route"),
        "money_client_group": lambda: money_table(scope, "client_group"),
        "close": lambda: close_table(scope),
    }
    keys = sections or tuple(builders)
    return Report(authority, period, scope, target, source, [builders[k]() for k in keys])


TABLE_KEYS = (
    "take_up", "trend", "routes", "streams", "reviews", "panel", "offers", "refusals", "refusal_reasons", "journey",
    "equity_client_group", "equity_age_band", "equity_sex", "outcomes", "independent_living",
    "money_stream", "money_route", "money_client_group", "close",
)  # fmt: skip


DASHBOARD_KEYS = ("take_up", "trend", "routes", "streams", "reviews", "offers", "refusals", "panel", "close")
"""The dashboard's summary: the headline counts, each with its chart and table. The analyses that
read every payment, allocation or first date (journey, equity, outcomes, money) are each on their
own page, linked from the dashboard, so the dashboard stays quick for a whole authority."""

TITLES = {
    "take_up": "Eligible people on personal budgets and direct payments",
    "trend": "Personal budgets by month (12 months to the period's end)",
    "routes": "People by deployment route",
    "streams": "People by funding stream",
    "reviews": "Reviews",
    "panel": "Plans referred to the risk enablement panel",
    "offers": "Personal budgets offered at first contact and at reviews",
    "refusals": "Personal budgets declined, and follow-ups",
    "refusal_reasons": "Personal budgets declined, by reason",
    "journey": "Time from referral",
    "equity_client_group": "Indicative budgets by client group, for the same assessed need",
    "equity_age_band": "Indicative budgets by age band, for the same assessed need",
    "equity_sex": "Indicative budgets by sex, for the same assessed need",
    "outcomes": "Outcomes achieved at reviews, by framework outcome",
    "independent_living": "Independent living (National Indicators 141 and 142)",
    "money_stream": "Spending against budget by funding stream",
    "money_route": "Spending against budget by deployment route",
    "money_client_group": "Spending against budget by client group",
    "close": "Rollover, claw-back and contributions",
}
"""Each indicator's title without working it out (the dashboard's links to the other pages);
a test checks they match the tables' own titles."""


def format_cell(value: Cell, kind: str) -> str:
    """A cell as shown on the page."""

    if value is None:
        return "–" if kind != "text" else ""
    if kind == "pence" and isinstance(value, int):
        return format_pence(value)
    if kind == "percent":
        return f"{value}%"
    if kind == "days":
        return f"{value} days"
    if kind == "count" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def plain_cell(value: Cell, kind: str) -> str | int | Decimal:
    """A cell for CSV and XLSX: pounds as a decimal, percentages and days as numbers."""
    if value is None:
        return ""
    if kind == "pence" and isinstance(value, int):
        return (Decimal(value) / 100).quantize(Decimal("0.01"))
    return value


def plain_header(column: Column) -> str:
    return {"pence": f"{column.label} (£)", "percent": f"{column.label} (%)"}.get(column.kind, column.label)
