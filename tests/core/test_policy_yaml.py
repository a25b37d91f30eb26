"""Every kind of policy passes one guard before its YAML is composed (selfdirect.core.policy_yaml):
no anchors or aliases, a depth and a size limit, UTF-8 only, real dates; each refusal names the file
and the line, and none expands anything or raises anything but the guard's own error."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml.composer import Composer

from selfdirect.core import policy_yaml
from selfdirect.ledger import policy as ledger_policy
from selfdirect.plans import policy as plans_policy
from selfdirect.policies import engine

POLICIES = Path(__file__).resolve().parents[2] / "policies"

# "Billion laughs": nine levels of nine aliases, a few hundred bytes that expand to 9**9 strings.
LAUGHS = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
# The same with merge keys, which also go through aliases.
MERGES = "base: &base {x: 1}\n" + "".join(f"k{i}:\n  <<: *base\n  y: {i}\n" for i in range(40))
DEEP_FLOW = "authority: northshire\nrates: " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_BLOCK = "- " * 5000 + "x\n"


@pytest.fixture
def no_composing(monkeypatch):
    """Fails the test if a document is composed (the step where aliases would be expanded)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the YAML was composed: the guard let it through")

    monkeypatch.setattr(Composer, "compose_node", refuse)


def refused(text: str, name: str = "policy.yaml") -> list[policy_yaml.PolicyProblem]:
    with pytest.raises(policy_yaml.PolicyYamlError) as caught:
        policy_yaml.load(text, name)
    return caught.value.problems


def test_a_yaml_bomb_is_refused_at_its_first_anchor_without_expanding_anything(no_composing):
    assert len(LAUGHS.encode()) < 500
    problems = refused(LAUGHS, "laughs.yaml")
    assert [str(p) for p in problems] == [
        "laughs.yaml:1: anchors (&name) and aliases (*name) are not allowed in a policy: write the value out"
    ]


def test_merge_keys_and_lone_aliases_are_refused_too(no_composing):
    assert refused(MERGES)[0].line == 1  # the anchor, before any merge
    assert refused("a: 1\nb: *nowhere\n")[0].line == 2  # an alias with no anchor is still refused first


@pytest.mark.parametrize("text", [DEEP_FLOW, DEEP_BLOCK], ids=["flow", "block"])
def test_nesting_5000_deep_is_refused_without_recursion(no_composing, text):
    problems = refused(text)
    assert len(problems) == 1 and problems[0].message == "nested more than 64 levels deep"


def test_nesting_up_to_the_limit_is_read():
    at_limit = "[" * policy_yaml.MAX_DEPTH + "]" * policy_yaml.MAX_DEPTH
    assert policy_yaml.load(f"x: {at_limit[1:-1]}\n", "ok.yaml")  # 64 levels with the mapping
    assert refused(f"x: {at_limit}\n")[0].message == "nested more than 64 levels deep"


def test_a_date_that_does_not_exist_is_a_problem_on_its_line():
    problems = refused("authority: northshire\neffective_from: 2027-02-30\nquoted: '2027-02-30'\n", "p.yaml")
    assert [str(p) for p in problems] == ["p.yaml:2: 2027-02-30 is not a real date"]
    assert (
        str(refused("at: 2026-04-01 25:00:00\n", "t.yaml")[0])
        == "t.yaml:1: 2026-04-01 25:00:00 is not a real date"
    )


def test_text_over_the_size_limit_is_refused_before_it_is_parsed(no_composing, monkeypatch):
    monkeypatch.setattr(policy_yaml.YAML, "parse", lambda *a: pytest.fail("parsed"))
    big = "a: " + "x" * policy_yaml.MAX_BYTES + "\n"
    assert refused(big, "big.yaml")[0].message.startswith("the file is larger than 512 KB")
    # Counted in bytes, not characters.
    assert refused("a: " + "é" * (policy_yaml.MAX_BYTES // 2), "big.yaml")[0].line == 1


def test_a_file_over_the_size_limit_is_refused_from_its_size_unread(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(policy_yaml.MAX_BYTES + 1)
    monkeypatch.setattr(Path, "open", lambda *a, **k: pytest.fail("the file was opened"))
    with pytest.raises(policy_yaml.PolicyYamlError, match=r"big.yaml:1: the file is larger than 512 KB"):
        policy_yaml.read_file(big)


def test_text_that_is_not_utf8_is_refused_naming_the_line(tmp_path):
    latin1 = "authority: northshire\ntitle: Politique générale\n".encode("latin-1")
    with pytest.raises(policy_yaml.PolicyYamlError) as caught:
        policy_yaml.decode(latin1, "latin.yaml")
    assert str(caught.value) == "latin.yaml:2: not UTF-8 text (byte 0xe9): save the file as UTF-8"
    path = tmp_path / "latin.yaml"
    path.write_bytes(latin1)
    with pytest.raises(policy_yaml.PolicyYamlError, match="latin.yaml:2: not UTF-8"):
        policy_yaml.read_file(path)
    # UTF-8, with or without a byte-order mark, is read.
    assert policy_yaml.decode("\ufefftitle: générale\n".encode(), "ok.yaml") == "title: générale\n"


def test_a_real_policy_passes_the_guard_unchanged():
    for path in sorted(POLICIES.glob("*/*.yaml")):
        policy_yaml.check(policy_yaml.read_file(path), str(path))


def test_all_three_kinds_of_policy_use_the_guard(no_composing):
    """Allocation, plan and ledger policies alike are refused by the one guard, with its message."""
    with pytest.raises(engine.PolicyError) as allocation:
        engine.load_policy(LAUGHS, filename="policy.yaml")
    assert "policy.yaml:1: anchors (&name)" in str(allocation.value)
    with pytest.raises(plans_policy.PlanPolicyError) as plans:
        plans_policy.load_plans_policy(LAUGHS, "plans.yaml")
    assert "plans.yaml:1: anchors (&name)" in str(plans.value)
    with pytest.raises(ledger_policy.PolicyError) as ledger:
        ledger_policy.parse(LAUGHS, "ledger.yaml")
    assert "ledger.yaml:1: anchors (&name)" in str(ledger.value)
    # One class of problem for every kind.
    assert engine.PolicyProblem is plans_policy.PolicyProblem is policy_yaml.PolicyProblem


def test_the_allocation_loader_takes_a_long_one_line_policy_as_text_not_a_path():
    """A 10,000-character line is text: asking the file system about it raised "File name too long"."""
    with pytest.raises(engine.PolicyError) as caught:
        engine.load_policy("[" * 5000 + "]" * 5000)
    assert "nested more than 64 levels deep" in str(caught.value)
