"""What can be done to Extra Care schemes. Views, the API and the CLI call these; each change is
one transaction with its audit event. Bad input raises :class:`SchemeInputError` (every problem
with its field path) before anything is written."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from selfdirect.core import audit, runs
from selfdirect.core.constants import AuditAction
from selfdirect.core.models import Authority, User

from .constants import RunKind
from .engine import APPRAISAL_QUESTIONS, MODELS, SchemeInputError
from .inputs import canonical, seed_inputs, validate_inputs
from .models import AnalysisRun, Scheme, SchemeVersion

SEED_NAME = "Housing LIN example: 40 flats"


def _check_name(authority: Authority, name: str, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise SchemeInputError("name", "enter the scheme's name")
    if len(name) > 200:
        raise SchemeInputError("name", "must be 200 characters or fewer")
    clash = Scheme.objects.filter(authority=authority, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise SchemeInputError("name", f"{authority.name} already has a scheme called {name!r}")
    return name


def create_scheme(actor: User | None, authority: Authority, name: str, inputs: Any, reason: str) -> Scheme:
    """A new scheme with its first version of inputs (validated, stored in canonical JSON)."""
    checked = canonical(validate_inputs(inputs))
    name = _check_name(authority, name)
    try:
        with transaction.atomic():
            scheme = Scheme.objects.create(authority=authority, name=name, created_by=actor)
            SchemeVersion.objects.create(
                scheme=scheme, number=1, inputs=checked, created_by=actor, reason=reason
            )
            audit.record(
                actor=actor, authority=authority, action=AuditAction.CREATE, obj=scheme, reason=reason,
                changes={"version": [None, 1]},
            )  # fmt: skip
    except IntegrityError:
        raise SchemeInputError("name", f"{authority.name} already has a scheme called {name!r}") from None
    return scheme


def create_from_seed(actor: User | None, authority: Authority, name: str | None = None) -> Scheme:
    """One click: seed 003 Section 6's 40-flat example, under a free name."""
    base = name or SEED_NAME
    candidate, n = base, 2
    while Scheme.objects.filter(authority=authority, name=candidate).exists():
        candidate, n = f"{base} ({n})", n + 1
    return create_scheme(actor, authority, candidate, seed_inputs(), "Started from the Housing LIN example")


def update_scheme(
    actor: User | None, scheme: Scheme, name: str, inputs: Any, reason: str
) -> SchemeVersion | None:
    """Save changed inputs as the next version; returns None if nothing changed."""
    checked = canonical(validate_inputs(inputs))
    name = _check_name(scheme.authority, name, exclude=scheme.pk)
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        current = locked.versions.order_by("-number").first()
        renamed = locked.name != name
        if current is not None and current.inputs == checked and not renamed:
            return None
        changes: dict[str, list[Any]] = {}
        if renamed:
            changes["name"] = [locked.name, name]
            locked.name = name
            locked.save(update_fields=["name", "updated_at"])
        version = current
        if current is None or current.inputs != checked:
            number = (current.number if current else 0) + 1
            version = SchemeVersion.objects.create(
                scheme=locked, number=number, inputs=checked, created_by=actor, reason=reason
            )
            changes["version"] = [current.number if current else None, number]
            changes.update(_input_changes(current.inputs if current else {}, checked))
        else:
            locked.save(update_fields=["updated_at"])
        audit.record(
            actor=actor, authority=locked.authority, action=AuditAction.CHANGE, obj=locked, reason=reason,
            changes=changes,
        )  # fmt: skip
    scheme.__dict__.pop("_current", None)
    scheme.name = name
    return version


def _input_changes(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> dict[str, list[Any]]:
    """Changed leaves as {path: [before, after]}; lists compare whole, to keep the log readable."""
    out: dict[str, list[Any]] = {}
    for key in list(after) + [k for k in before if k not in after]:
        path = f"{prefix}.{key}" if prefix else key
        a, b = before.get(key), after.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out.update(_input_changes(a, b, path))
        elif a != b:
            out[path] = [a, b]
    return out


def delete_scheme(actor: User | None, scheme: Scheme, reason: str) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor, authority=scheme.authority, action=AuditAction.DELETE, obj=scheme, reason=reason
        )
        scheme.delete()


MODEL_KEYS = [m.key for m in MODELS]
QUESTION_KEYS = [q.key for q in APPRAISAL_QUESTIONS]


def default_model_notes(key: str) -> dict[str, str]:
    """The seed's description, pros and cons as the starting text of a model's editable notes."""
    m = next(m for m in MODELS if m.key == key)
    return {
        "advantages": "\n".join(m.advantages),
        "disadvantages": "\n".join(m.disadvantages),
        "notes": "\n".join(m.notes),
    }


def appraisal_for(scheme: Scheme) -> dict[str, Any]:
    """Per model: the notes (the seed's until edited) and the answers to the §4.7.2 questions."""
    saved = scheme.appraisal or {}
    out: dict[str, Any] = {}
    for key in MODEL_KEYS:
        notes = {**default_model_notes(key), **saved.get("notes", {}).get(key, {})}
        answers = {q: saved.get("answers", {}).get(key, {}).get(q, "") for q in QUESTION_KEYS}
        out[key] = {"notes": notes, "answers": answers, "edited": key in saved.get("notes", {})}
    return out


def save_appraisal(
    actor: User | None,
    scheme: Scheme,
    model_key: str,
    notes: dict[str, str],
    answers: dict[str, str],
    reason: str,
) -> dict[str, list[Any]]:
    """Save one model's notes and answers (no score, no verdict: the judgement stays with people)."""
    key = model_key.upper()
    if key not in MODEL_KEYS:
        raise SchemeInputError("model", f"unknown commissioning model {model_key!r}; choose from A-F")
    problems = [(f"answers.{q}", "is not one of the questions for choosing a model") for q in answers if q not in QUESTION_KEYS]
    problems += [
        (f"notes.{n}", "is not a note field")
        for n in notes
        if n not in ("advantages", "disadvantages", "notes")
    ]
    problems += [
        (f"answers.{q}", "must be 5,000 characters or fewer") for q, v in answers.items() if len(v) > 5000
    ]
    problems += [
        (f"notes.{n}", "must be 10,000 characters or fewer") for n, v in notes.items() if len(v) > 10000
    ]
    if problems:
        raise SchemeInputError(problems=problems)
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        data = dict(locked.appraisal or {})
        before = appraisal_for(locked)[key]
        data.setdefault("notes", {})[key] = {**before["notes"], **{k: v.strip() for k, v in notes.items()}}
        data.setdefault("answers", {})[key] = {
            **before["answers"],
            **{k: v.strip() for k, v in answers.items()},
        }
        locked.appraisal = data
        locked.save(update_fields=["appraisal", "updated_at"])
        after = appraisal_for(locked)[key]
        changes = {
            f"{key}.{section}.{k}": [before[section][k], after[section][k]]
            for section in ("notes", "answers")
            for k in after[section]
            if before[section][k] != after[section][k]
        }
        audit.record(
            actor=actor, authority=locked.authority, action=AuditAction.CHANGE, obj=locked, reason=reason,
            changes=changes,
        )  # fmt: skip
    scheme.appraisal = locked.appraisal
    return changes


# Limits keep one request from tying up the worker for hours.
LIMITS = {
    "levels": (1, 41),
    "replications": (1, 50),
    "days": (1, 365),
    "staff": (1, 60),
    "nights_staff": (0, 60),
}


def _int(params: dict[str, Any], name: str, default: int, problems: list[tuple[str, str]]) -> int:
    raw = params.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        problems.append((name, f"must be a whole number (got {raw!r})"))
        return default
    lo, hi = LIMITS.get(name, (0, 10**6))
    if not lo <= value <= hi:
        problems.append((name, f"must be between {lo} and {hi} (got {value})"))
    return value


def _num(
    params: dict[str, Any], name: str, default: float, lo: float, hi: float, problems: list[tuple[str, str]]
) -> float:
    raw = params.get(name, default)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        problems.append((name, f"must be a number (got {raw!r})"))
        return default
    if not lo <= value <= hi:
        problems.append((name, f"must be between {lo:g} and {hi:g} (got {value:g})"))
    return value


def clean_params(kind: str, params: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Check a run's parameters; returns them normalised and how many steps the run takes."""
    problems: list[tuple[str, str]] = []
    if kind not in RunKind.values:
        raise SchemeInputError("kind", f"must be one of {', '.join(RunKind.values)}")
    known = {
        RunKind.SIMULATION: {"floating_share", "days", "seed"},
        RunKind.SWEEP: {"levels", "replications", "days", "seed", "target_p95_minutes"},
        RunKind.ROTA: {"staff", "nights_staff", "time_limit_seconds", "week_start"},
    }[RunKind(kind)]
    problems += [(name, "is not a setting of this kind of run") for name in params if name not in known]
    out: dict[str, Any]
    if kind == RunKind.SIMULATION:
        out = {
            "floating_share": _num(params, "floating_share", 0.3, 0, 1, problems),
            "days": _int(params, "days", 365, problems),
            "seed": _int(params, "seed", 1, problems),
        }
        total = 1
    elif kind == RunKind.SWEEP:
        out = {
            "levels": _int(params, "levels", 11, problems),
            "replications": _int(params, "replications", 5, problems),
            "days": _int(params, "days", 365, problems),
            "seed": _int(params, "seed", 1, problems),
            "target_p95_minutes": _num(params, "target_p95_minutes", 30, 0, 24 * 60, problems),
        }
        total = out["levels"] * out["replications"]
    else:
        out = {
            "staff": _int(params, "staff", 12, problems),
            "nights_staff": _int(params, "nights_staff", params.get("staff", 12), problems),
            "time_limit_seconds": _num(params, "time_limit_seconds", 10, 1, 60, problems),
            "week_start": params.get("week_start") or None,
        }
        if out["week_start"]:
            from datetime import date

            try:
                date.fromisoformat(str(out["week_start"]))
            except ValueError:
                problems.append(("week_start", "must be a date like 2026-04-06"))
        if not problems and out["nights_staff"] > out["staff"]:
            problems.append(("nights_staff", "cannot be more than the number of staff"))
        total = 1
    if problems:
        raise SchemeInputError(problems=problems)
    return out, total


def start_run(actor: User | None, scheme: Scheme, kind: str, params: dict[str, Any]) -> AnalysisRun:
    """Record a run against the scheme's current version; the task worker takes it once the row is
    committed."""
    cleaned, total = clean_params(kind, params)
    with transaction.atomic():
        run = AnalysisRun.objects.create(
            authority=scheme.authority, scheme=scheme, version=scheme.current, kind=kind, params=cleaned,
            total=total, created_by=actor,
        )  # fmt: skip
        runs.enqueue(run, "selfdirect.extracare.tasks.run_analysis")
    run.refresh_from_db()
    return run
