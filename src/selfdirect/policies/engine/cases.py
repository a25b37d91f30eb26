"""YAML test cases that sit beside a policy, in the spirit of OpenFisca's YAML tests.

A commissioner writes the expected budget for a few typical people; pytest runs every
``policies/*/tests/*.yaml`` so a change to the rules that moves a figure fails loudly.

Each case::

    - name: short-term housing support tapers over a year
      policy: southvale-2026          # optional: otherwise the version in force "on"
      on: 2026-04-01
      complete: false                 # optional: unanswered questions score nothing (default)
      override: {band: substantial, reason: ...}   # optional assessor decision
      answers: {hs_tenancy_threat: yes, hs_need_level: low_medium}
      expect:
        streams: {supporting_people: 126000}       # annual pence
        weekly: {supporting_people: 2423}          # optional
        total: 126000                              # optional
        band: low                                  # optional
        route: housing_support_only                # optional
        missing: [client_group]                    # optional: the assessment is incomplete
        answer_error: "must be at most"            # optional: an answer is refused
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selfdirect.core.policy_yaml import to_plain

from .allocate import AssessmentIncomplete, allocate
from .eligibility import AssessorDecision
from .loader import PolicySet, read_yaml
from .questionnaire import AnswerError


@dataclass(frozen=True)
class PolicyCase:
    name: str
    file: str
    line: int
    policy: str | None
    on: dt.date
    answers: dict[str, Any]
    expect: dict[str, Any]
    complete: bool = False
    override: AssessorDecision | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def load_cases(path: str | Path) -> list[PolicyCase]:
    """Read a YAML file of cases (a list of mappings), keeping each case's line number."""
    path = Path(path)
    tree, problems = read_yaml(path.read_text(encoding="utf-8"), str(path))
    if problems:
        raise ValueError(str(problems[0]))
    out = []
    for i, node in enumerate(tree or []):
        line = tree.lc.item(i)[0] + 1
        data = to_plain(node)
        unknown = set(data) - {"name", "policy", "on", "answers", "expect", "complete", "override"}
        if unknown:
            raise ValueError(f"{path}:{line}: unknown keys {sorted(unknown)}")
        ov = data.get("override")
        out.append(
            PolicyCase(
                name=data["name"],
                file=str(path),
                line=line,
                policy=data.get("policy"),
                on=data["on"],
                answers=dict(data.get("answers") or {}),
                expect=dict(data["expect"]),
                complete=bool(data.get("complete", False)),
                override=AssessorDecision(**ov) if ov else None,
            )
        )
    return out


def run_case(case: PolicyCase, policies: PolicySet) -> list[str]:
    """Run one case; returns the list of mismatches (empty when it passes)."""
    policy = policies.by_id(case.policy) if case.policy else policies.for_date(case.on)
    exp = case.expect
    try:
        alloc = allocate(
            policy, case.answers, on=case.on, override=case.override, require_complete=case.complete
        )
    except AssessmentIncomplete as exc:
        missing = [m.question_id for m in exc.missing]
        if "missing" in exp:
            ok = missing == list(exp["missing"])
            return [] if ok else [f"missing: expected {exp['missing']}, got {missing}"]
        return [f"assessment incomplete: {missing}"]
    except AnswerError as exc:
        if "answer_error" in exp and str(exp["answer_error"]) in str(exc):
            return []
        return [f"answer refused: {exc}"]
    fails: list[str] = []
    for key in ("missing", "answer_error"):
        if key in exp:
            fails.append(f"expected {key} {exp[key]!r}, but the allocation succeeded")
    for stream, pence in (exp.get("streams") or {}).items():
        got = alloc.streams[stream].annual_pence if stream in alloc.streams else None
        if got != pence:
            fails.append(f"streams.{stream}: expected {pence}, got {got}")
    for stream, pence in (exp.get("weekly") or {}).items():
        got = alloc.streams[stream].weekly_pence if stream in alloc.streams else None
        if got != pence:
            fails.append(f"weekly.{stream}: expected {pence}, got {got}")
    if "total" in exp and alloc.total_annual_pence != exp["total"]:
        fails.append(f"total: expected {exp['total']}, got {alloc.total_annual_pence}")
    if "band" in exp and alloc.eligibility.band != exp["band"]:
        fails.append(f"band: expected {exp['band']}, got {alloc.eligibility.band}")
    if "route" in exp and alloc.eligibility.route != exp["route"]:
        fails.append(f"route: expected {exp['route']}, got {alloc.eligibility.route}")
    for stream in alloc.streams.values():
        if sum(line.amount_pence for line in stream.lines) != stream.annual_pence:
            fails.append(f"explanation of {stream.stream} does not add up")
    return fails
