"""The scheme form: every input of a scheme in sections, turned into the inputs JSON and checked
by the engine. Numbers go to the engine as typed, so its messages ("must not be negative (got
-3)") reach the commissioner next to the box they typed in; lists (residents, fill-up, schedule of
cover) are one line each, and problems with them name the line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms

from selfdirect.core.dates import date_text, parse_date
from selfdirect.core.forms import GovukDateField, GovukForm, ReasonMixin
from selfdirect.core.money import format_pence, parse_pounds

from .engine import APPRAISAL_QUESTIONS

BANDS = ("low", "medium", "high")


@dataclass(frozen=True)
class Spec:
    name: str
    path: str  # where the value goes in the inputs JSON
    label: str
    kind: str = "num"  # num | int | pounds | text | date | bool | lines
    help: str = ""
    width: int = 5


def _band_specs() -> list[Spec]:
    out = []
    for i, band in enumerate(BANDS):
        out.append(
            Spec(
                f"need_{band}_share",
                f"scheme.need_mix.bands[{i}].share",
                f"Share of residents with {band} needs",
                help="A fraction or decimal, e.g. 1/3 or 0.25",
            )
        )
        out.append(
            Spec(
                f"need_{band}_hours",
                f"scheme.need_mix.bands[{i}].hours_per_week",
                f"Typical care hours a week, {band} needs",
            )
        )
    return out


SECTIONS: list[tuple[str, str, list[Spec]]] = [
    ("scheme", "The scheme", [
        Spec("name", "name", "Scheme name", "text", width=20),
        Spec("flats", "scheme.flats", "Number of flats", "int"),
    ]),
    ("occupancy", "How the scheme fills", [
        Spec("occupancy", "scheme.occupancy", "Flats let over time", "lines",
             "One line per step: the date and the number of flats let from then, e.g. 1 April 2026: 10. Leave empty if full from the start."),
    ]),
    ("needs", "Residents' care needs", [
        Spec("residents", "scheme.residents", "Residents' weekly care hours", "lines",
             "One line per group: how many residents, x, hours a week each, then a label, e.g. 13 x 3 low. Give one line per resident for individual hours."),
        *_band_specs(),
        Spec("low_below_hours", "scheme.need_mix.low_below_hours", "Low needs are under (hours a week)"),
        Spec("high_above_hours", "scheme.need_mix.high_above_hours", "High needs are over (hours a week)"),
    ]),
    ("staffing", "Staffing rules (minimum cover)", [
        Spec("day_min_staff", "scheme.staffing.day_min_staff", "Staff on duty by day", "int"),
        Spec("day_hours_per_day", "scheme.staffing.day_hours_per_day", "Daytime hours a day"),
        Spec("night_min_staff", "scheme.staffing.night_min_staff", "Staff on duty at night", "int"),
        Spec("night_hours_per_night", "scheme.staffing.night_hours_per_night", "Night hours a night"),
        Spec("handover_hours_per_day", "scheme.staffing.handover_hours_per_day", "Handover hours a day"),
        Spec("team_leader_hours_per_week", "scheme.staffing.team_leader_hours_per_week", "Care team leader hours a week"),
        Spec("days_per_week", "scheme.staffing.days_per_week", "Days a week", "int"),
    ]),
    ("shifts", "Shift rules", [
        Spec("unpaid_break_minutes", "scheme.shifts.unpaid_break_minutes", "Unpaid break (minutes)", "int"),
        Spec("unpaid_break_from_hours", "scheme.shifts.unpaid_break_from_hours", "Unpaid break in shifts from (hours)"),
        Spec("unpaid_break_to_hours", "scheme.shifts.unpaid_break_to_hours", "Unpaid break in shifts up to (hours)"),
        Spec("short_breaks", "scheme.shifts.short_breaks", "Short breaks a shift", "int"),
        Spec("short_break_minutes", "scheme.shifts.short_break_minutes", "Short break (minutes)", "int"),
        Spec("short_breaks_paid", "scheme.shifts.short_breaks_paid", "Short breaks are paid", "bool",
             "Your choice: the guidance allows two 15-minute breaks but does not say whether they are paid."),
        Spec("night_start", "scheme.shifts.night_start", "Nights start (24-hour clock, e.g. 22:00)", "text"),
        Spec("night_end", "scheme.shifts.night_end", "Nights end (24-hour clock, e.g. 07:00)", "text"),
        Spec("min_shift_hours", "scheme.shifts.min_shift_hours", "Shortest shift (hours)"),
        Spec("max_shift_hours", "scheme.shifts.max_shift_hours", "Longest shift (hours)"),
        Spec("max_hours_per_week", "scheme.shifts.max_hours_per_week", "Most paid hours a week per worker"),
        Spec("min_rest_hours", "scheme.shifts.min_rest_hours", "Least rest between shifts (hours)"),
        Spec("max_nights_per_week", "scheme.shifts.max_nights_per_week", "Most nights a week per worker", "int"),
    ]),
    ("schedule", "Likely schedule of cover", [
        Spec("sessions", "scheme.schedule.sessions", "Staff on duty through the day", "lines",
             "One line per session: start-end and the number of staff, e.g. 07:30-10:00 5. Leave empty if you have no schedule yet."),
        Spec("schedule_handover_hours", "scheme.schedule.handover_hours_per_day", "Handover hours a day in the schedule"),
    ]),
    ("core", "Core cover (core and add-on)", [
        Spec("core_staff_on_site", "scheme.core.staff_on_site", "Core staff on site", "int"),
        Spec("core_day_hours_per_day", "scheme.core.day_hours_per_day", "Core daytime hours a day"),
        Spec("core_night_hours_per_night", "scheme.core.night_hours_per_night", "Core night hours a night"),
        Spec("core_handover_hours_per_day", "scheme.core.handover_hours_per_day", "Core handover hours a day"),
        Spec("core_management_floating_hours_per_week", "scheme.core.management_floating_hours_per_week", "Management and floating hours a week"),
        Spec("core_days_per_week", "scheme.core.days_per_week", "Core days a week", "int"),
    ]),
    ("costing", "Costing", [
        Spec("loaded_rate", "costing.loaded_rate_pence", "One loaded hourly rate (£)", "pounds",
             "The rate for contact hours that includes everything else. Leave empty to use only the rate card."),
        Spec("day_rate", "costing.rate_card.day_rate_pence", "Rate card: day hour (£)", "pounds",
             "Leave the rate card empty to cost with the loaded rate only."),
        Spec("night_rate", "costing.rate_card.night_rate_pence", "Rate card: night hour (£)", "pounds"),
        Spec("team_leader_rate", "costing.rate_card.team_leader_rate_pence", "Rate card: team leader hour (£)", "pounds"),
        Spec("leave_and_sickness_pct", "costing.rate_card.leave_and_sickness_pct", "Annual leave and sickness (%)"),
        Spec("training_pct", "costing.rate_card.training_pct", "Training (%)"),
        Spec("supervision_pct", "costing.rate_card.supervision_pct", "Supervision (%)"),
        Spec("overheads_pct", "costing.rate_card.overheads_pct", "Overheads (%)"),
        Spec("margin_pct", "costing.rate_card.margin_pct", "Margin (%)"),
        Spec("weeks_per_year", "costing.weeks_per_year", "Weeks in a contract year"),
    ]),
    ("planning", "Working target and phasing", [
        Spec("working_target_hours", "planning.working_target_hours", "Working target (contact hours a week)"),
        Spec("top_up_block_hours", "planning.top_up_block_hours", "Top-up blocks of (hours)"),
        Spec("opening_date", "planning.opening_date", "Opening date", "date",
             "For example, 1 4 2026. Leave empty to use the first date the scheme fills."),
        Spec("completion_date", "planning.completion_date", "Due for completion", "date",
             "For example, 16 3 2026: when the building is due to be finished. Selecting the care provider should begin at least 6 months before it."),
        Spec("start_phased", "planning.start_phased", "Start with the phased minimum (team leader within the day cover)", "bool"),
        Spec("months_between_steps", "planning.months_between_steps", "Months between phasing steps", "int"),
    ]),
    ("viability", "Residents' budgets (pooled-budget viability)", [
        *[Spec(f"budget_{b}", f"viability.budgets_pence.{b}", f"Weekly budget, {b} needs (£)", "pounds") for b in BANDS],
        Spec("planned_rate", "viability.planned_rate_pence", "Planned care hourly rate (£)", "pounds"),
    ]),
]  # fmt: skip

SPECS = {s.name: s for _, _, specs in SECTIONS for s in specs}
BY_PATH = {s.path: s.name for s in SPECS.values()}
# Whole-list problems go on the first box of the list they concern.
BY_PATH.update(
    {
        "scheme.need_mix.bands": "need_low_share",
        "scheme.need_mix": "need_low_share",
        "costing.rate_card": "day_rate",
        "viability.budgets_pence": "budget_low",
    }
)

RESIDENT = re.compile(r"^\s*(-?\d+)\s*[x×*]\s*(-?[\d.]+)\s*(?:h(?:ours?)?\b)?\s*(.*?)\s*$", re.I)
OCCUPANCY = re.compile(r"^\s*(.+?)\s*[,:]?\s+(-?\d+)\s*$")
SESSION = re.compile(r"^\s*(\d{1,2}:\d{2})\s*(?:-|to|–)\s*(\d{1,2}:\d{2})\s*[,:]?\s+(-?\d+)\s*$")


def _lines(text: str) -> list[tuple[int, str]]:
    return [(i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    node: Any = data
    for part, nxt in zip(parts, parts[1:] + [None], strict=True):
        key: Any = int(part[1:-1]) if part.startswith("[") else part
        if nxt is None:
            node[key] = value
            return
        if isinstance(key, int):
            while len(node) <= key:
                node.append({})
        elif key not in node:
            node[key] = [] if nxt.startswith("[") else {}
        node = node[key]


def _get(data: Any, path: str) -> Any:
    node = data
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        try:
            node = node[int(part[1:-1])] if part.startswith("[") else node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _iso_date(text: str) -> str:
    """A typed date as the engine reads it ("2026-04-01"); what it cannot read, as it is, for the
    engine to name."""
    try:
        return parse_date(text).isoformat()
    except ValueError:
        return text


def _short_time(value: Any) -> str:
    text = str(value or "")
    return text[:5] if re.match(r"^\d\d:\d\d:00$", text) else text


class SchemeForm(ReasonMixin, forms.Form):
    """All of a scheme's inputs. ``to_inputs()`` gives the JSON the engine checks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields.pop("reason")
        for spec in SPECS.values():
            if spec.kind == "lines":
                field: forms.Field = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
            elif spec.kind == "bool":
                field = forms.BooleanField(required=False)
            else:
                field = forms.CharField(required=spec.name in ("name", "flats"), max_length=200)
                field.widget.attrs["width"] = (
                    spec.width if spec.kind not in ("text", "date") else (20 if spec.name == "name" else 10)
                )
            field.label = spec.label
            field.help_text = spec.help
            self.fields[spec.name] = field
        self.fields["reason"] = reason

    def sections(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        return [(key, title, [self[s.name] for s in specs]) for key, title, specs in SECTIONS] + [
            ("reason", "Why", [self["reason"]])
        ]

    @staticmethod
    def initial_from(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """Form values for a stored version's inputs."""
        initial: dict[str, Any] = {"name": name}
        scheme = inputs.get("scheme", {})
        for spec in SPECS.values():
            if spec.kind == "lines" or spec.name == "name":
                continue
            value = _get(inputs, spec.path)
            if spec.kind == "pounds":
                initial[spec.name] = (
                    format_pence(value, symbol=False).replace(",", "") if value is not None else ""
                )
            elif spec.kind == "bool":
                initial[spec.name] = bool(value)
            elif spec.name in ("night_start", "night_end"):
                initial[spec.name] = _short_time(value)
            elif spec.kind == "date":
                initial[spec.name] = date_text(value)
            else:
                initial[spec.name] = "" if value is None else str(value)
        initial["occupancy"] = "\n".join(
            f"{date_text(p['on'])}: {p['occupied_flats']}" for p in scheme.get("occupancy") or []
        )
        initial["residents"] = "\n".join(
            f"{g['count']} x {g['hours_each']} {g.get('label', '')}".rstrip()
            for g in scheme.get("residents") or []
        )
        sessions = (scheme.get("schedule") or {}).get("sessions") or []
        initial["sessions"] = "\n".join(
            f"{_short_time(x['start'])}-{_short_time(x['end'])} {x['staff']}" for x in sessions
        )
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for spec in SPECS.values():
            value = data.get(spec.name)
            if spec.kind == "pounds" and value not in (None, ""):
                try:
                    pence = parse_pounds(str(value))
                except ValueError as exc:
                    self.add_error(spec.name, f"Enter an amount in pounds, like 20.00 ({exc})")
                    continue
                if pence < 0:
                    self.add_error(spec.name, f"must not be negative (got {value})")
                data[spec.name] = pence
            if spec.kind == "date" and value not in (None, ""):
                try:
                    data[spec.name] = parse_date(str(value)).isoformat()
                except ValueError:
                    self.add_error(spec.name, f"Enter a date like 1 4 2026 (got {value!r})")
        self._lists = {
            "residents": self._parse(data, "residents", RESIDENT, "count x hours label, e.g. 13 x 3 low",
                                     lambda m: {"count": m[1], "hours_each": m[2], "label": m[3]}),
            "occupancy": self._parse(data, "occupancy", OCCUPANCY, "date and flats, e.g. 1 April 2026: 10",
                                     lambda m: {"on": _iso_date(m[1]), "occupied_flats": m[2]}),
            "sessions": self._parse(data, "sessions", SESSION, "start-end staff, e.g. 07:30-10:00 5",
                                    lambda m: {"start": m[1], "end": m[2], "staff": m[3]}),
        }  # fmt: skip
        return data

    def _parse(
        self, data: dict[str, Any], name: str, pattern: re.Pattern[str], shape: str, build: Any
    ) -> list[Any]:
        out = []
        for number, line in _lines(data.get(name) or ""):
            m = pattern.match(line)
            if m is None:
                self.add_error(name, f"Line {number} ({line.strip()!r}): write it as {shape}")
            else:
                out.append(build(m))
        return out

    def to_inputs(self) -> tuple[str, dict[str, Any]]:
        """The scheme's name and its inputs JSON (unchecked: the engine checks it)."""
        d = self.cleaned_data
        inputs: dict[str, Any] = {"scheme": {}, "costing": {}, "planning": {}, "viability": {}}
        groups = {
            "need": [s for s in SPECS.values() if s.name.startswith("need_")],
            "rate_card": [s for s in SPECS.values() if s.path.startswith("costing.rate_card")],
            "budget": [s for s in SPECS.values() if s.name.startswith("budget_")],
            "schedule": [SPECS["schedule_handover_hours"]],
        }
        empty = {g: all(d.get(s.name) in (None, "") for s in specs) for g, specs in groups.items()}
        empty["schedule"] = empty["schedule"] and not self._lists["sessions"]
        for spec in SPECS.values():
            value = d.get(spec.name)
            if spec.kind == "lines" or spec.name == "name":
                continue
            if spec.name.startswith("need_") or spec.name in ("low_below_hours", "high_above_hours"):
                if empty["need"]:
                    continue
            elif spec.path.startswith("costing.rate_card"):
                if empty["rate_card"]:
                    continue
            elif (
                spec.name.startswith("budget_")
                and empty["budget"]
                or spec.name == "schedule_handover_hours"
                and empty["schedule"]
            ):
                continue
            if spec.kind == "bool":
                _set(inputs, spec.path, bool(value))
            elif value in (None, ""):
                if spec.name in ("loaded_rate", "opening_date", "completion_date"):
                    _set(inputs, spec.path, None)
                continue
            else:
                _set(inputs, spec.path, value)
        if not empty["need"]:
            for i, band in enumerate(BANDS):
                _set(inputs, f"scheme.need_mix.bands[{i}].name", band)
        inputs["scheme"]["occupancy"] = self._lists["occupancy"]
        inputs["scheme"]["residents"] = self._lists["residents"]
        if not empty["schedule"]:
            _set(inputs, "scheme.schedule.sessions", self._lists["sessions"])
        return d["name"], inputs

    def add_problems(self, problems: list[tuple[str, str]]) -> None:
        """Put each engine problem next to the box it names (or its list, naming the line)."""
        for path, message in problems:
            field, text = self.field_for(path, message)
            self.add_error(field, text)

    @staticmethod
    def field_for(path: str, message: str) -> tuple[str | None, str]:
        if path in BY_PATH:
            return BY_PATH[path], message
        m = re.match(
            r"^(scheme\.residents|scheme\.occupancy|scheme\.schedule\.sessions)\[(\d+)\]\.?(.*)$", path
        )
        if m:
            name = BY_PATH[m[1]]
            what = m[3].replace("_", " ")
            return name, f"Line {int(m[2]) + 1}: {what + ' ' if what else ''}{message}"
        trimmed = path
        while "." in trimmed or "[" in trimmed:
            trimmed = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", trimmed)
            if trimmed in BY_PATH:
                return BY_PATH[trimmed], f"{path}: {message}"
        return None, f"{path}: {message}" if path else message


class SeedForm(GovukForm):
    """The one-click start from seed 003's example (a POST with no fields but the CSRF token)."""


class AppraisalForm(ReasonMixin, forms.Form):
    """One commissioning model's notes (the seed's pros and cons, editable) and answers."""

    advantages = forms.CharField(
        label="Advantages", widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=10000
    )
    disadvantages = forms.CharField(
        label="Disadvantages", widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=10000
    )
    notes = forms.CharField(
        label="Other notes", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields.pop("reason")
        for q in APPRAISAL_QUESTIONS:
            self.fields[f"q_{q.key}"] = forms.CharField(
                label=q.text, widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
            )
        self.fields["reason"] = reason


class SimulationForm(GovukForm):
    floating_share = forms.IntegerField(
        label="Daytime cover left floating (%)", min_value=0, max_value=100, initial=30
    )
    days = forms.IntegerField(label="Days to simulate", min_value=1, max_value=365, initial=365)
    seed = forms.IntegerField(
        label="Random seed",
        min_value=0,
        max_value=10**6,
        initial=1,
        help_text="The same seed gives the same result.",
    )


class SweepForm(GovukForm):
    levels = forms.IntegerField(
        label="Floating levels from 0% to 100%", min_value=1, max_value=41, initial=11
    )
    replications = forms.IntegerField(label="Runs at each level", min_value=1, max_value=50, initial=5)
    days = forms.IntegerField(label="Days in each run", min_value=1, max_value=365, initial=365)
    target_p95_minutes = forms.IntegerField(
        label="Target: 95% of calls answered within (minutes)", min_value=0, max_value=1440, initial=30
    )
    seed = forms.IntegerField(label="Random seed", min_value=0, max_value=10**6, initial=1)


class RotaForm(GovukForm):
    staff = forms.IntegerField(label="Care staff in the team", min_value=1, max_value=60, initial=12)
    nights_staff = forms.IntegerField(label="Of whom can work nights", min_value=0, max_value=60, initial=12)
    time_limit_seconds = forms.IntegerField(
        label="Time limit for the solver (seconds)", min_value=1, max_value=60, initial=10
    )
    week_start = GovukDateField(
        label="Week beginning", required=False, help_text="Optional. For example, 6 4 2026"
    )
