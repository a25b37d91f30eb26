"""What can be done to people records. Views, the API and the CLI call these; each change is
written in one transaction with its audit event, so neither exists without the other."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from selfdirect.core import audit, spreadsheet
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ImportRefused, RowProblem, ServiceError
from selfdirect.core.models import AuditEvent, Authority, User

from .models import ContactLogEntry, Person, Representative, Team

PERSON_AUDIT_FIELDS = [
    "reference", "given_name", "family_name", "preferred_name", "date_of_birth", "sex",
    "address_line_1", "address_line_2", "town", "postcode", "nhs_number", "client_group",
    "facs_band", "primary_support_reason", "contact_preference", "phone", "email", "contact_notes",
    "has_capacity", "capacity_notes", "consents_to_share", "consent_notes", "team", "allocated_worker",
]  # fmt: skip
REPRESENTATIVE_AUDIT_FIELDS = [
    "name", "type", "relationship", "phone", "email", "user", "may_view_record",
    "may_complete_assessment", "may_agree_plan", "may_manage_money", "evidence", "starts_on", "ends_on",
]  # fmt: skip



def _validated(obj: Any, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise ServiceError(exc.message_dict) from None


def next_reference(authority: Authority) -> str:
    """A new reference like NS000123, unique in the authority."""
    prefix = authority.slug[:2].upper()
    count = Person.objects.filter(authority=authority).count() + 1
    while Person.objects.filter(authority=authority, reference=f"{prefix}{count:06d}").exists():
        count += 1
    return f"{prefix}{count:06d}"


def create_person(actor: User | None, authority: Authority, data: Mapping[str, Any], reason: str) -> Person:
    """Add a person to the authority's records."""
    with transaction.atomic():
        person = Person(authority=authority, **data)
        if not person.reference:
            person.reference = next_reference(authority)
        _check_team(person)
        _validated(person)
        person._change_reason = reason  # type: ignore[attr-defined]  # read by simple-history
        person.save()
        audit.record(
            actor=actor, authority=authority, action=AuditAction.CREATE, obj=person, reason=reason,
            changes=audit.diff({}, audit.snapshot(person, PERSON_AUDIT_FIELDS)), person_id=person.pk,
        )  # fmt: skip
        return person


def update_person(
    actor: User | None, person: Person, data: Mapping[str, Any], reason: str
) -> dict[str, list[Any]]:
    """Change a person's record; returns what changed. Nothing is written if nothing changed."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = audit.snapshot(person, PERSON_AUDIT_FIELDS)
        for name, value in data.items():
            setattr(person, name, value)
        _check_team(person)
        _validated(person)
        changes = audit.diff(before, audit.snapshot(person, PERSON_AUDIT_FIELDS))
        if not changes:
            return {}
        person._change_reason = reason  # type: ignore[attr-defined]
        person.save()
        audit.record(
            actor=actor, authority=person.authority, action=AuditAction.CHANGE, obj=person,
            reason=reason, changes=changes, person_id=person.pk,
        )  # fmt: skip
        return changes


def delete_person(actor: User | None, person: Person, reason: str) -> None:
    """Remove a person's record (for example one created in error). The audit trail stays."""
    with transaction.atomic():
        audit.record(
            actor=actor, authority=person.authority, action=AuditAction.DELETE, obj=person, reason=reason,
            changes=audit.diff(audit.snapshot(person, PERSON_AUDIT_FIELDS), {}), person_id=person.pk,
        )  # fmt: skip
        person._change_reason = reason  # type: ignore[attr-defined]
        person.delete()


def _check_team(person: Person) -> None:
    errors: dict[str, list[str]] = {}
    if person.team_id and person.team.authority_id != person.authority_id:  # type: ignore[union-attr]
        errors["team"] = ["Choose a team in this authority"]
    worker = person.allocated_worker
    if worker is not None:
        if not worker.roles_in(person.authority_id):
            errors["allocated_worker"] = ["Choose a worker in this authority"]
        elif person.team_id and not person.team.members.filter(pk=worker.pk).exists():  # type: ignore[union-attr]
            errors["allocated_worker"] = ["Choose a worker who is a member of the team"]
    if errors:
        raise ServiceError(errors)


def allocate(
    actor: User | None, person: Person, team: Team | None, worker: User | None, reason: str
) -> dict[str, list[Any]]:
    """Put a person on a team's caseload and allocate a worker (or remove them)."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = audit.snapshot(person, ["team", "allocated_worker"])
        person.team = team
        person.allocated_worker = worker
        _check_team(person)
        changes = audit.diff(before, audit.snapshot(person, ["team", "allocated_worker"]))
        if not changes:
            return {}
        person._change_reason = reason  # type: ignore[attr-defined]
        person.save(update_fields=["team", "allocated_worker", "updated_at"])
        audit.record(
            actor=actor, authority=person.authority, action=AuditAction.ALLOCATE, obj=person,
            reason=reason, changes=changes, person_id=person.pk,
        )  # fmt: skip
        return changes


def save_representative(
    actor: User | None,
    person: Person,
    data: Mapping[str, Any],
    reason: str,
    rep: Representative | None = None,
) -> Representative:
    """Add a representative to a person, or change one."""
    with transaction.atomic():
        creating = rep is None
        if rep is None:
            rep = Representative(person=person, authority=person.authority)
            before: dict[str, Any] = {}
        else:
            rep = Representative.objects.select_for_update().get(pk=rep.pk, person=person)
            before = audit.snapshot(rep, REPRESENTATIVE_AUDIT_FIELDS)
        for name, value in data.items():
            setattr(rep, name, value)
        if rep.user_id and not rep.user.roles_in(person.authority_id):  # type: ignore[union-attr]
            raise ServiceError({"user": ["That sign-in does not belong to this authority"]})
        _validated(rep, exclude=["person", "authority"])
        changes = audit.diff(before, audit.snapshot(rep, REPRESENTATIVE_AUDIT_FIELDS))
        if not changes:
            return rep
        rep._change_reason = reason  # type: ignore[attr-defined]
        rep.save()
        audit.record(
            actor=actor, authority=person.authority, action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=rep, reason=reason, changes=changes, person_id=person.pk,
        )  # fmt: skip
        return rep


def delete_representative(actor: User | None, rep: Representative, reason: str) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor, authority=rep.person.authority, action=AuditAction.DELETE, obj=rep, reason=reason,
            changes=audit.diff(audit.snapshot(rep, REPRESENTATIVE_AUDIT_FIELDS), {}), person_id=rep.person_id,
        )  # fmt: skip
        rep._change_reason = reason  # type: ignore[attr-defined]
        rep.delete()


def add_contact(actor: User, person: Person, data: Mapping[str, Any]) -> ContactLogEntry:
    entry = ContactLogEntry(person=person, authority=person.authority, recorded_by=actor, **data)
    _validated(entry, exclude=["person", "authority", "recorded_by"])
    entry.save()
    return entry


# --- CSV import and export -------------------------------------------------------------------

CSV_COLUMNS = [
    "reference", "given_name", "family_name", "date_of_birth", "sex", "address_line_1", "address_line_2",
    "town", "postcode", "nhs_number", "client_group", "facs_band", "primary_support_reason",
    "contact_preference", "phone", "email", "team",
]  # fmt: skip
# About 7,000 people at ~150 bytes a row: checked and written in a few seconds. A bigger file (a 10.5 MB
# one kept a worker busy for 45 s) is refused from its size, before it is read; split it.
MAX_IMPORT_BYTES = 1024 * 1024
IMPORT_BATCH = 500
TOO_BIG = f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB: split it into smaller files"
REQUIRED_COLUMNS = {"given_name", "family_name", "date_of_birth", "address_line_1", "town", "postcode",
                    "client_group", "primary_support_reason"}  # fmt: skip



@dataclass
class ImportResult:
    created: list[Person] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)



def _parse_row(
    authority: Authority, line: int, row: Mapping[str, str | None], teams: dict[str, Team], absent: set[str]
) -> tuple[Person | None, list[RowProblem]]:
    """One row as an unsaved Person, or None, with every problem the row has.

    Each cell is read, then the model's own checks (NHS number, choices, email, lengths) run on
    every cell that was read, so one bad cell never hides another. ``absent`` are required columns
    missing from the header: reported once, at line 1, not again on every row."""
    problems: list[RowProblem] = []
    values: dict[str, Any] = {}
    bad: set[str] = set()
    for column in CSV_COLUMNS:
        raw = spreadsheet.unquote((row.get(column) or "").strip())  # as the export wrote it
        if column in REQUIRED_COLUMNS and not raw:
            bad.add(column)
            if column not in absent:
                problems.append(RowProblem(line, column, "is required"))
            continue
        if column == "date_of_birth" and raw:
            try:
                values[column] = dt.date.fromisoformat(raw)
            except ValueError:
                bad.add(column)
                problems.append(RowProblem(line, column, f"{raw!r} is not a date in the form YYYY-MM-DD"))
            continue
        if column == "team":
            if raw:
                if raw not in teams:
                    bad.add(column)
                    problems.append(RowProblem(line, column, f"no team called {raw!r} in {authority.name}"))
                else:
                    values["team"] = teams[raw]
            continue
        if column == "nhs_number":
            raw = raw.replace(" ", "").replace("-", "")
        if raw:
            values[column] = raw
    person = Person(authority=authority, **values)
    if not person.reference:
        bad.add("reference")  # given one when it is saved
    try:
        # Uniqueness of references is checked across the whole file by the caller.
        person.full_clean(exclude=sorted(bad), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            problems.extend(RowProblem(line, "" if name == "__all__" else name, m) for m in messages)
    return (None if problems else person), problems


def import_people(
    actor: User | None,
    authority: Authority,
    text: str,
    reason: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[Person]:
    """Import people from CSV text. Every row is checked first; if any row is bad, nothing is
    imported and every problem of every row is reported at once, with its line number (the
    header is line 1)."""
    if len(text) > MAX_IMPORT_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_IMPORT_BYTES:
        raise ImportRefused([RowProblem(1, "", TOO_BIG)])
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    problems: list[RowProblem] = []
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        problems.append(RowProblem(1, "", f"missing column(s): {', '.join(sorted(missing))}"))
    unknown = set(header) - set(CSV_COLUMNS)
    if unknown:
        problems.append(RowProblem(1, "", f"unknown column(s): {', '.join(sorted(unknown))}"))
    teams = {t.name: t for t in Team.objects.filter(authority=authority)}
    parsed: list[Person] = []
    seen_refs: dict[str, int] = {}
    existing = set(Person.objects.filter(authority=authority).values_list("reference", flat=True))
    rows = list(reader)
    for index, row in enumerate(rows):
        line = index + 2
        if None in row:  # more cells than headers; the named cells are still checked
            problems.append(RowProblem(line, "", "has more cells than the header"))
        person, row_problems = _parse_row(authority, line, row, teams, missing)
        problems.extend(row_problems)
        reference = spreadsheet.unquote((row.get("reference") or "").strip())
        if reference:
            if reference in existing:
                problems.append(RowProblem(line, "reference", f"{reference} already exists"))
            elif reference in seen_refs:
                problems.append(
                    RowProblem(line, "reference", f"{reference} repeats line {seen_refs[reference]}")
                )
            seen_refs.setdefault(reference, line)
        if person is not None:
            parsed.append(person)
    if not rows:
        problems.append(RowProblem(2, "", "the file has no rows"))
    if problems:
        raise ImportRefused(problems)
    # Written a batch of rows at a time (each person, their history row and their audit event), in one
    # transaction so the file is still all or nothing, but a short one: a row at a time held the
    # database's write lock for over a minute for 20,000 people, and on SQLite every other write
    # (and so every page or API call that writes) waited for it and failed.
    try:
        with transaction.atomic():
            _give_references(authority, parsed)
            for start in range(0, len(parsed), IMPORT_BATCH):
                batch = parsed[start : start + IMPORT_BATCH]
                bulk_create_with_history(batch, Person, default_user=actor, default_change_reason=reason)
                AuditEvent.objects.bulk_create(
                    audit.event(
                        actor=actor, authority=authority, action=AuditAction.IMPORT, obj=person, reason=reason,
                        changes=audit.diff({}, audit.snapshot(person, PERSON_AUDIT_FIELDS)), person_id=person.pk,
                    )  # fmt: skip
                    for person in batch
                )
                if progress:
                    progress(start + len(batch), len(parsed))
    except IntegrityError as exc:  # a row raced in between check and write: refuse the whole file
        raise ImportRefused([RowProblem(1, "", f"the database refused the import: {exc}")]) from None
    return parsed


def _give_references(authority: Authority, people: list[Person]) -> None:
    """References for the people who have none, as :func:`next_reference` would give them one by
    one as each is saved, in file order (without asking the database for each)."""
    prefix = authority.slug[:2].upper()
    held = Person.objects.filter(authority=authority)
    saved = held.count()
    taken = set(held.values_list("reference", flat=True))
    for person in people:
        if not person.reference:
            count = saved + 1
            while f"{prefix}{count:06d}" in taken:
                count += 1
            person.reference = f"{prefix}{count:06d}"
        taken.add(person.reference)
        saved += 1


def export_rows(people: Iterable[Person]) -> Iterator[list[str]]:
    """CSV rows (header first) in the same columns the import reads, so an export re-imports."""
    yield CSV_COLUMNS
    for p in people:
        yield [
            p.reference, p.given_name, p.family_name, p.date_of_birth.isoformat(), p.sex, p.address_line_1,
            p.address_line_2, p.town, p.postcode, p.nhs_number, p.client_group, p.facs_band,
            p.primary_support_reason, p.contact_preference, p.phone, p.email, p.team.name if p.team else "",
        ]  # fmt: skip
