"""Soak the money: the ledger state machine (tests/ledger/ledger_machine.py) over many more random
sequences than the suite runs, half under each demo authority's money rules.

    .venv/bin/python bench/soak_ledger.py [--sequences 10000] [--chunk 1000] [--steps 25] [--seed N]

The suite runs 240 fixed sequences; this runs fresh random ones, in chunks. Each chunk has its own
hypothesis seed and, when it ends, is appended to bench/soak_ledger.jsonl (seed, commit, database,
time, outcome and what its sequences reached), so a soak can be stopped and carried on later (even
on another machine) without losing what was done, and a failure can be replayed with --seed (one
chunk). bench/RESULTS.md ("## Ledger soak") sums every chunk in that file: sequences, steps, time,
failures, and how often the sequences reached the states that matter (claw-backs, overspending,
arrears paid late, reassessments, refusals). Set DATABASE_URL to soak on PostgreSQL; SQLite
otherwise. Run it under `nice` to soak with whatever the machine leaves idle.
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
CHUNKS = Path(__file__).resolve().parent / "soak_ledger.jsonl"


def run_chunk(sequences: int, steps: int, seed: int) -> dict[str, object]:
    """One pytest run of the state machine (two workers, one per authority); what it did and reached."""
    report = ROOT / "var" / f"soak-{seed}.jsonl"
    report.parent.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    examples = max(sequences // 2, 201)  # over 200 a test: random, not the suite's fixed sequences
    env = {
        **os.environ,
        "SELFDIRECT_MACHINE_REPORT": str(report),
        "SELFDIRECT_MACHINE_EXAMPLES": str(examples),
        "SELFDIRECT_MACHINE_STEPS": str(steps),
    }
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2",
               f"--hypothesis-seed={seed}", TEST]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    seconds = time.perf_counter() - started
    log = ROOT / "var" / f"soak-{seed}.log"
    log.write_text(done.stdout + done.stderr, encoding="utf-8")  # the whole run, to replay a failure
    reached: Counter[str] = Counter()
    if report.exists():
        for line in report.read_text(encoding="utf-8").splitlines():
            reached.update(json.loads(line))
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True,  # noqa: S607
                            text=True, check=False).stdout.strip()  # fmt: skip
    if done.returncode != 0:
        print(done.stdout[-3000:])
        print(f"the whole output: {log}")
    return {
        "date": dt.date.today().isoformat(),
        "commit": commit,
        "database": "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite",
        "cpus": os.cpu_count(),
        "seed": seed,
        "sequences": 2 * examples,
        "steps": steps,
        "seconds": round(seconds, 1),
        "passed": done.returncode == 0,
        "reached": dict(sorted(reached.items())),
    }


def summary(chunks: list[dict]) -> str:  # type: ignore[type-arg]
    """The RESULTS.md section: every chunk recorded so far, summed."""
    sequences = sum(c["sequences"] for c in chunks)
    seconds = sum(c["seconds"] for c in chunks)
    broken = [c for c in chunks if not c["passed"]]
    reached: Counter[str] = Counter()
    for chunk in chunks:
        reached.update(chunk["reached"])
    outcome = (
        "no rule broken"
        if not broken
        else "A RULE WAS BROKEN, replay with --seed " + ", ".join(str(c["seed"]) for c in broken)
    )
    runs = "\n".join(
        f"| {c['date']} | {c['commit']} | {c['database']} | {c['seed']} | {c['sequences']:,} | {c['steps']} | "
        f"{c['seconds'] / 60:.1f} | {'passed' if c['passed'] else 'FAILED'} |"
        for c in chunks
    )
    rows = "\n".join(f"| {what} | {n:,} |" for what, n in sorted(reached.items()))
    return f"""## Ledger soak

`bench/soak_ledger.py`, os.cpu_count() = {chunks[-1]["cpus"]}. The state machine of `tests/ledger/ledger_machine.py`
(draft, agree, reassess and end budgets of every shape; payment runs for any month; spending, bank
statements and reversals; contributions; months closed in any order; claw-back received; a support plan
started and ended), its business rules checked after every step. The suite runs 240 fixed sequences on
each database; the soak runs fresh random ones, in chunks, each with its own hypothesis seed
(`bench/soak_ledger.jsonl` keeps every chunk; `--seed` replays one). Minutes are wall-clock time,
run under `nice` beside other work, so they say little about speed.

**{sequences:,} sequences of up to {max(c["steps"] for c in chunks)} steps in {len(chunks)} chunk{"s" if len(chunks) != 1 else ""}
({seconds / 60:.0f} minutes in all): {outcome}.**

| date | commit | database | seed | sequences | steps | minutes | outcome |
|---|---|---|---:|---:|---:|---:|---|
{runs}

What the sequences did and reached (steps, summed over all sequences):

| step or state | count |
|---|---:|
{rows}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=10_000, help="in all this time, half per authority")
    parser.add_argument("--chunk", type=int, default=1_000, help="sequences a chunk (at least 402)")
    parser.add_argument("--steps", type=int, default=25, help="at most, per sequence")
    parser.add_argument("--seed", type=int, default=None, help="replay one chunk")
    args = parser.parse_args()
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    todo = args.chunk if args.seed is not None else args.sequences
    while todo > 0:
        seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
        size = min(args.chunk, todo)
        print(f"soaking {size:,} sequences of up to {args.steps} steps on {engine}, seed {seed}", flush=True)
        chunk = run_chunk(size, args.steps, seed)
        todo -= chunk["sequences"]  # type: ignore[operator]
        with CHUNKS.open("a", encoding="utf-8") as log:
            log.write(json.dumps(chunk) + "\n")
        chunks = [json.loads(line) for line in CHUNKS.read_text(encoding="utf-8").splitlines() if line.strip()]
        write_section(summary(chunks))
        print(f"  {'passed' if chunk['passed'] else 'FAILED'} in {chunk['seconds'] / 60:.1f} minutes", flush=True)
        if not chunk["passed"]:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
