"""Benchmark: the providers-and-rates CSV import at the web page's size limit (256 KB), on PostgreSQL.

Measures, for one file of N rows (one rate table per row; 4 services per provider):
- baseline: reading the CSV and checking every row's cells (services.parse_import_row), no database;
- check: services.check_providers_import, the page's first step (the whole import, rolled back);
- import: services.import_providers, the confirmation step (the same work, committed).
The check and the import write every provider, service, rate table and audit event row by row
through the services, so they cost the same; the ratio to the baseline is the price of the
database checks and the audit trail.

Writes (or replaces) the "## Market import" section of bench/RESULTS.md, keeping other sections.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfdirect_market_bench \
     .venv/bin/python bench/bench_market_import.py [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

from results import write_section  # bench/results.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfdirect.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

HEADER = (
    "provider,kind,cqc_number,companies_house_number,support_types,areas,phone,email,website,service,"
    "support_type,unit,rates_from,rates_to,standard_rate,evening_rate,night_rate,weekend_rate,bank_holiday_rate\n"
)
SERVICES = [("Home care", "personal_care", "hour"), ("Night sitting", "night", "night"),
            ("Day service", "social", "visit"), ("Cleaning", "domestic", "hour")]  # fmt: skip


def make_file(rows: int) -> str:
    lines = [HEADER]
    for i in range(rows):
        name, kind, unit = SERVICES[i % 4]
        lines.append(
            f"Bench Provider {i // 4:05d} Ltd,agency,1-{i // 4:010d},{i // 4:08d},personal_care;night;social;domestic,"
            f"Northam;Kelby,01632 960{i % 1000:03d},care{i // 4}@bench.example.org,,{name},{kind},{unit},"
            "2026-04-01,,15.00,16.50,18.00,17.00,22.50\n"
        )
    return "".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=0, help="default: as many as fit under the limit")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_market_import needs PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    from selfdirect.core.models import Authority, Membership, User
    from selfdirect.market import services
    from selfdirect.market.models import RateTable

    rows = args.rows
    if not rows:  # as many rows as fit under the web page's limit
        per_row = len(make_file(400).encode()) / 400
        rows = int((services.MAX_IMPORT_BYTES - len(HEADER)) / per_row) // 4 * 4
    text = make_file(rows)
    size = len(text.encode())
    while not args.rows and size > services.MAX_IMPORT_BYTES:
        rows -= 4 * (1 + (size - services.MAX_IMPORT_BYTES) // 600)
        text = make_file(rows)
        size = len(text.encode())
    assert size <= services.MAX_IMPORT_BYTES or args.rows, size
    stamp = time.time_ns()
    authority = Authority.objects.create(slug=f"bench-{stamp}", name=f"Bench {stamp}")
    user = User.objects.create_user(f"bench-commissioner-{stamp}")
    Membership.objects.create(user=user, authority=authority, role="commissioner")

    start = time.perf_counter()
    reader = csv.DictReader(io.StringIO(text))
    parsed = [services.parse_import_row(i + 2, row) for i, row in enumerate(reader)]
    base_s = time.perf_counter() - start
    assert all(found is not None and not problems for found, problems in parsed)
    print(f"baseline parse {rows} rows: {base_s:.2f}s")

    start = time.perf_counter()
    preview = services.check_providers_import(user, authority, text)
    check_s = time.perf_counter() - start
    assert (
        len(preview.rate_tables) == rows
        and not RateTable.objects.filter(service__authority=authority).exists()
    )
    print(f"check (rolled back): {check_s:.1f}s")

    start = time.perf_counter()
    created = services.import_providers(user, authority, text, "Bench")
    import_s = time.perf_counter() - start
    assert len(created) == rows == RateTable.objects.filter(service__authority=authority).count()
    print(f"import: {import_s:.1f}s")

    section = (
        "## Market import\n\n"
        f"`bench/bench_market_import.py`: os.cpu_count() = {os.cpu_count()}, Python {sys.version.split()[0]}, "
        f"PostgreSQL {connection.pg_version // 10000}; one file of {rows:,} rows ({size / 1024:,.0f} KB; the web "
        f"page's limit is {services.MAX_IMPORT_BYTES // 1024:,} KB): {rows // 4:,} new providers with 4 services "
        "each, one rate table per row, into an empty authority.\n\n"
        "| step | seconds | per row (ms) | × baseline |\n|---|---:|---:|---:|\n"
        f"| baseline: read the CSV and check every row's cells (no database) | {base_s:.2f} | "
        f"{1000 * base_s / rows:.3f} | 1 |\n"
        f"| check step (whole import in a transaction, rolled back) | {check_s:.1f} | {1000 * check_s / rows:.2f} | "
        f"{check_s / base_s:,.0f} |\n"
        f"| import on confirmation (committed) | {import_s:.1f} | {1000 * import_s / rows:.2f} | "
        f"{import_s / base_s:,.0f} |\n\n"
        "The check costs what the import costs: it runs it. Both write each provider, service and rate "
        "table through the services (full_clean, the overlap check, an audit event each), row by row.\n"
    )
    print(section)
    if not args.no_write:
        write_section(section)


if __name__ == "__main__":
    main()
