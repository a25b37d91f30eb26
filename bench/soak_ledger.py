"""Soak the money: the ledger state machine (tests/ledger/ledger_machine.py) over many more random
sequences than the suite runs, half under each demo authority's money rules.

    .venv/bin/python bench/soak_ledger.py [--sequences 10000] [--steps 25] [--seed N]

The suite runs 240 fixed sequences; this runs fresh random ones (the seed is printed and written, so a
failure can be replayed with --seed). It writes the outcome to bench/RESULTS.md ("## Ledger soak"):
sequences, steps, time, failures, and how often the sequences reached the states that matter
(claw-backs, overspending, arrears paid late, reassessments, refusals). Set DATABASE_URL to soak on
PostgreSQL; SQLite otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from results import write_section

ROOT = Path(__file__).resolve().parent.parent
TEST = "tests/ledger/test_ledger_state_machine.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=10_000, help="in all, half per authority")
    parser.add_argument("--steps", type=int, default=25, help="at most, per sequence")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    report = ROOT / "var" / f"soak-{seed}.jsonl"
    report.parent.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    env = {
        **os.environ,
        "SELFDIRECT_MACHINE_REPORT": str(report),
        "SELFDIRECT_MACHINE_EXAMPLES": str(max(args.sequences // 2, 201)),  # over 200: random, not fixed
        "SELFDIRECT_MACHINE_STEPS": str(args.steps),
    }
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2",
               f"--hypothesis-seed={seed}", TEST]  # fmt: skip
    print(f"soaking {args.sequences:,} sequences of up to {args.steps} steps on {engine}, seed {seed}")
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    elapsed = time.perf_counter() - started
    reached: Counter[str] = Counter()
    if report.exists():
        for line in report.read_text(encoding="utf-8").splitlines():
            reached.update(json.loads(line))
    passed = done.returncode == 0
    log = ROOT / "var" / f"soak-{seed}.log"
    log.write_text(done.stdout + done.stderr, encoding="utf-8")  # the whole run, to replay a failure
    print(done.stdout[-3000:])
    print(f"the whole output: {log}")
    sequences = 2 * int(env["SELFDIRECT_MACHINE_EXAMPLES"])
    rows = "\n".join(f"| {what} | {n:,} |" for what, n in sorted(reached.items()))
    write_section(f"""## Ledger soak

`bench/soak_ledger.py`, {dt.date.today():%-d %B %Y}, os.cpu_count() = {os.cpu_count()}, {engine}, hypothesis seed
{seed}. The state machine of `tests/ledger/ledger_machine.py` (draft, agree, reassess and end budgets of
every shape; payment runs for any month; spending, bank statements and reversals; contributions; months
closed in any order; claw-back received; a support plan started and ended), its business rules checked
after every step. The suite runs 240 fixed sequences on each database; this ran fresh random ones.

**{sequences:,} sequences of up to {args.steps} steps in {elapsed / 60:.1f} minutes
({elapsed / sequences * 1000:.0f} ms a sequence): {"no rule broken" if passed else "A RULE WAS BROKEN (see the run's output)"}.**

What the sequences did and reached (steps, summed over all sequences):

| step or state | count |
|---|---:|
{rows}
""")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
