"""Importing providers, their services and rate tables from CSV, all or nothing, and checking an
uploaded file before it is applied (web page and API)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction

from selfdirect.core.errors import ImportRefused, RowProblem, ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.core.money import parse_pounds

from ..constants import ProviderKind, SupportType, Unit
from ..models import Area, Provider, RateTable, Service
from .common import add_area, overlaps
from .providers import save_provider, save_rate_table, save_service

IMPORT_COLUMNS = [
    "provider", "kind", "cqc_number", "companies_house_number", "support_types", "areas", "phone", "email",
    "website", "service", "support_type", "unit", "rates_from", "rates_to", "standard_rate", "evening_rate",
    "night_rate", "weekend_rate", "bank_holiday_rate",
]  # fmt: skip
IMPORT_REQUIRED = {"provider", "service", "unit", "rates_from", "standard_rate"}
RATE_COLUMNS = {
    "standard_rate": "standard_pence", "evening_rate": "evening_pence", "night_rate": "night_pence",
    "weekend_rate": "weekend_pence", "bank_holiday_rate": "bank_holiday_pence",
}  # fmt: skip


@dataclass
class _Row:
    line: int
    provider: dict[str, Any]
    areas: list[str]
    service: dict[str, Any]
    rates: dict[str, Any]


def parse_import_row(line: int, row: Mapping[str, str]) -> tuple[_Row | None, list[RowProblem]]:
    problems: list[RowProblem] = []

    def bad(field: str, message: str) -> None:
        problems.append(RowProblem(line, field, message))

    cell = {c: (row.get(c) or "").strip() for c in IMPORT_COLUMNS}
    for column in sorted(IMPORT_REQUIRED):
        if not cell[column]:
            bad(column, "is required" + (": a rate must say what it is per" if column == "unit" else ""))
    kind = cell["kind"] or ProviderKind.AGENCY
    if kind not in ProviderKind.values:
        bad("kind", f"{kind!r} is not one of {', '.join(ProviderKind.values)}")
    types = [t.strip() for t in cell["support_types"].split(";") if t.strip()]
    for t in types:
        if t not in SupportType.values:
            bad("support_types", f"{t!r} is not a kind of support ({', '.join(SupportType.values)})")
    support_type = cell["support_type"] or (types[0] if types else "")
    # A missing support_type is a problem only for a new service: checked across rows below.
    if support_type and support_type not in SupportType.values:
        bad("support_type", f"{support_type!r} is not a kind of support")
    if cell["unit"] and cell["unit"] not in Unit.values:
        bad("unit", f"{cell['unit']!r} is not one of {', '.join(Unit.values)}")
    if cell["email"]:
        try:
            validate_email(cell["email"])
        except ValidationError:
            bad("email", f"{cell['email']!r} is not an email address")
    if cell["website"]:
        try:
            URLValidator()(cell["website"])
        except ValidationError:
            bad("website", f"{cell['website']!r} is not a web address")
    if cell["cqc_number"] and len(cell["cqc_number"]) > 20:
        bad("cqc_number", "is longer than 20 characters")
    if cell["companies_house_number"] and (
        len(cell["companies_house_number"]) != 8 or not cell["companies_house_number"].isalnum()
    ):
        bad("companies_house_number", "must be 8 letters or digits, e.g. 01234567 or SC123456")
    dates: dict[str, dt.date | None] = {}
    for column in ("rates_from", "rates_to"):
        dates[column] = None
        if cell[column]:
            try:
                dates[column] = dt.date.fromisoformat(cell[column])
            except ValueError:
                bad(column, f"{cell[column]!r} is not a date in the form YYYY-MM-DD")
    if dates["rates_from"] and dates["rates_to"] and dates["rates_to"] < dates["rates_from"]:
        bad("rates_to", "is before rates_from")
    pence: dict[str, int | None] = {}
    for column, field in RATE_COLUMNS.items():
        pence[field] = None
        if cell[column]:
            try:
                value = parse_pounds(cell[column])
            except ValueError as exc:
                bad(column, str(exc))
                continue
            if value < 0:
                bad(column, "must not be below zero")
            pence[field] = value
    if problems:
        return None, problems
    return (
        _Row(
            line,
            provider={
                "name": cell["provider"],
                "kind": kind,
                "cqc_number": cell["cqc_number"],
                "companies_house_number": cell["companies_house_number"],
                "support_types": ",".join(types),
                "phone": cell["phone"],
                "email": cell["email"],
                "website": cell["website"],
            },  # fmt: skip
            areas=[a.strip() for a in cell["areas"].split(";") if a.strip()],
            service={"name": cell["service"], "support_type": support_type, "unit": cell["unit"]},
            rates={"starts_on": dates["rates_from"], "ends_on": dates["rates_to"], **pence},
        ),
        [],
    )


def import_providers(
    actor: User | None,
    authority: Authority,
    text: str,
    reason: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[RateTable]:
    """Import providers, their services and rate tables from CSV (one row per rate table). Every row
    is checked first, against the database and the rest of the file; if any row is bad nothing is
    imported and every problem is reported with its line number (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = IMPORT_REQUIRED - set(header)
    if missing:
        raise ImportRefused([RowProblem(1, "", f"missing column(s): {', '.join(sorted(missing))}")])
    problems: list[RowProblem] = []
    unknown = set(header) - set(IMPORT_COLUMNS)
    if unknown:
        problems.append(RowProblem(1, "", f"unknown column(s): {', '.join(sorted(unknown))}"))
    parsed: list[_Row] = []
    rows = list(reader)
    for index, row in enumerate(rows):
        line = index + 2
        if None in row:
            problems.append(RowProblem(line, "", "has more cells than the header"))
            continue
        found, row_problems = parse_import_row(line, row)
        problems.extend(row_problems)
        if found is not None:
            parsed.append(found)
    if not rows:
        problems.append(RowProblem(2, "", "the file has no rows"))
    # Checks across rows and against what is already recorded.
    existing_providers = {p.name.lower(): p for p in Provider.objects.filter(authority=authority)}
    first_line: dict[str, _Row] = {}
    periods: dict[tuple[str, str], list[tuple[int, dt.date, dt.date | None]]] = {}
    typed_services: set[tuple[str, str]] = set()  # new services an earlier row gives a support type
    for item in parsed:
        key = item.provider["name"].lower()
        if key in first_line and item.provider["kind"] != first_line[key].provider["kind"]:
            problems.append(
                RowProblem(
                    item.line, "kind", f"differs from line {first_line[key].line} for the same provider"
                )
            )
        first_line.setdefault(key, item)
        skey = (key, item.service["name"].lower())
        provider = existing_providers.get(key)
        service = provider.services.filter(name__iexact=item.service["name"]).first() if provider else None
        if service is not None and service.unit != item.service["unit"]:
            problems.append(RowProblem(item.line, "unit", f"the service is already sold per {service.unit}"))
        if service is None and skey not in typed_services and not item.service["support_type"]:
            problems.append(
                RowProblem(item.line, "support_type", "is required for a new service (or give support_types)")
            )
        if service is None and item.service["support_type"]:
            typed_services.add(skey)
        if skey not in periods:
            periods[skey] = [
                (0, t.starts_on, t.ends_on) for t in (service.rate_tables.all() if service else [])
            ]
        start, end = item.rates["starts_on"], item.rates["ends_on"]
        for other_line, other_start, other_end in periods[skey]:
            if overlaps(start, end, other_start, other_end):
                where = f"line {other_line}" if other_line else f"the recorded rate table from {other_start}"
                problems.append(RowProblem(item.line, "rates_from", f"these rates overlap {where}"))
                break
        periods[skey].append((item.line, start, end))
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: p.line))
    created: list[RateTable] = []
    areas = {a.name.lower(): a for a in Area.objects.filter(authority=authority)}
    try:
        with transaction.atomic():
            providers = dict(existing_providers)
            for i, item in enumerate(parsed):
                key = item.provider["name"].lower()
                try:
                    for name in item.areas:
                        if name.lower() not in areas:
                            areas[name.lower()] = add_area(actor, authority, name, reason)
                    if key not in providers:
                        providers[key] = save_provider(
                            actor,
                            authority,
                            {**item.provider, "areas": [areas[a.lower()] for a in item.areas]},
                            reason,
                        )
                    provider = providers[key]
                    service = provider.services.filter(name__iexact=item.service["name"]).first()
                    if service is None:  # with its support_type: the checks above made sure
                        service = save_service(actor, provider, item.service, reason)
                    created.append(save_rate_table(actor, service, item.rates, reason))
                except ServiceError as exc:  # a check the item parser cannot make (e.g. a field too long)
                    raise ImportRefused(
                        [
                            RowProblem(item.line, "" if f == "__all__" else f, m)
                            for f, ms in exc.errors.items()
                            for m in ms
                        ]
                    ) from None
                if progress:
                    progress(i + 1, len(parsed))
    except IntegrityError as exc:
        raise ImportRefused([RowProblem(1, "", f"the database refused the import: {exc}")]) from None
    return created


# --- checking an uploaded import before it is applied (web page and API) ---------------------

MAX_IMPORT_BYTES = 256 * 1024  # about 1,200 rows: the check or the import takes ~15 s (bench)
_NOT_CSV_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook or other zipped file",
    b"\xd0\xcf\x11\xe0": "an old-style Excel or Word file",
    b"%PDF": "a PDF",
}


def read_import_file(name: str, data: bytes) -> str:
    """The text of an uploaded CSV file, or ServiceError on ``file`` saying clearly why it cannot
    be read: too large, empty, not a CSV file, or not UTF-8. Row problems are import_providers'."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""

    def refuse(message: str) -> ServiceError:
        return ServiceError({"file": [message]})

    if len(data) > MAX_IMPORT_BYTES:
        raise refuse(
            f"The file is larger than {MAX_IMPORT_BYTES // 1024} KB; split it into smaller files or ask "
            "for it to be imported from the command line"
        )
    if not data.strip():
        raise refuse("The file is empty")
    for signature, what in _NOT_CSV_SIGNATURES.items():
        if data.startswith(signature):
            raise refuse(f"The file is {what}, not a CSV file; save the spreadsheet as CSV UTF-8")
    if suffix not in ("", "csv", "txt") or b"\x00" in data:
        raise refuse("The file is not a CSV file; save the spreadsheet as CSV UTF-8 (a name ending .csv)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise refuse(f"The file is not UTF-8 text (line {line}); save the spreadsheet as CSV UTF-8") from None


@dataclass
class ImportPreview:
    """What an import would create, worked out by running it and rolling it back."""

    new_providers: list[str]
    existing_providers: list[str]
    new_services: list[str]
    new_areas: list[str]
    rate_tables: list[dict[str, Any]]


def check_providers_import(actor: User | None, authority: Authority, text: str) -> ImportPreview:
    """Every check of :func:`import_providers`, including those made while writing, with nothing
    kept: the import runs inside a transaction that is always rolled back. Raises ImportRefused."""
    preview, _ = summarised_import(actor, authority, text, "Checking an import (rolled back)", dry_run=True)
    return preview


def summarised_import(
    actor: User | None, authority: Authority, text: str, reason: str, *, dry_run: bool
) -> tuple[ImportPreview, list[RateTable]]:
    """:func:`import_providers` with a summary of what it created (or, with ``dry_run``, would
    create: everything is then rolled back and the rate tables returned are not saved)."""
    providers_before = set(Provider.objects.filter(authority=authority).values_list("pk", flat=True))
    services_before = set(Service.objects.filter(authority=authority).values_list("pk", flat=True))
    areas_before = set(Area.objects.filter(authority=authority).values_list("pk", flat=True))
    preview = ImportPreview([], [], [], [], [])
    with transaction.atomic():
        created = import_providers(actor, authority, text, reason)
        seen_providers: set[int] = set()
        seen_services: set[int] = set()
        for table in created:
            service = table.service
            provider = service.provider
            if provider.pk not in seen_providers:
                seen_providers.add(provider.pk)
                target = (
                    preview.existing_providers if provider.pk in providers_before else preview.new_providers
                )
                target.append(provider.name)
            if service.pk not in services_before and service.pk not in seen_services:
                seen_services.add(service.pk)
                preview.new_services.append(f"{provider.name}: {service.name} (per {service.unit})")
            preview.rate_tables.append(
                {
                    "provider": provider.name, "service": service.name, "unit": service.unit,
                    "starts_on": table.starts_on, "ends_on": table.ends_on,
                    **{field: getattr(table, field) for field in RATE_COLUMNS.values()},
                }
            )  # fmt: skip
        preview.new_areas = sorted(
            Area.objects.filter(authority=authority)
            .exclude(pk__in=areas_before)
            .values_list("name", flat=True)
        )
        if dry_run:
            transaction.set_rollback(True)
    return preview, created
