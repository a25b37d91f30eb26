"""The questionnaire: which questions apply, answer checking, completeness, scores.

Trigger logic follows seed 002: a few yes/no trigger questions per area; a "yes" to any
of them opens that area's detailed questions (e.g. the four housing questions open the
housing-related-support assessment). Answers to questions that are not open are kept
but ignored, so changing a trigger back to "no" never leaves stray points behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .loader import Policy
from .money import CENTI, SCORE_SCALE, scaled
from .schema import Condition, PointsDerived, Question

Answers = Mapping[str, Any]
"""Answers by question id: yes_no -> bool (or "yes"/"no"), single_choice -> str,
multiple_choice -> list of str, number -> int/Decimal/str, text -> str."""


@dataclass(frozen=True)
class AnswerProblem:
    """An answer that cannot be accepted; the message names the question for the person."""

    question_id: str
    message: str

    def __str__(self) -> str:
        return self.message


class AnswerError(ValueError):
    """Raised with every problem in a set of answers."""

    def __init__(self, problems: list[AnswerProblem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


@dataclass(frozen=True)
class MissingAnswer:
    """A required, applicable question without an answer (for a "check answers" page)."""

    question_id: str
    domain: str
    person: str
    staff: str


def _named(q: Question) -> str:
    return f"'{q.person}' ({q.id})"


def normalise_answer(q: Question, value: Any) -> tuple[Any, str | None]:
    """Return the answer in canonical form, or an error message naming the question.

    Canonical forms: bool, str, tuple of str (sorted, unique), Decimal, str.
    Floats are accepted from JSON but turned into Decimal through their text, never used as floats.
    """
    if q.type == "yes_no":
        if isinstance(value, bool):
            return value, None
        if isinstance(value, str) and value.lower() in ("yes", "no"):
            return value.lower() == "yes", None
        return None, f"{_named(q)}: answer yes or no"
    if q.type == "single_choice":
        allowed = [o.value for o in q.options]
        if isinstance(value, str) and value in allowed:
            return value, None
        return None, f"{_named(q)}: {value!r} is not one of {', '.join(allowed)}"
    if q.type == "multiple_choice":
        allowed = [o.value for o in q.options]
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            return None, f"{_named(q)}: give a list of choices"
        bad = [v for v in value if v not in allowed]
        if bad:
            return None, f"{_named(q)}: {', '.join(map(repr, bad))} not among {', '.join(allowed)}"
        return tuple(sorted(set(value))), None
    if q.type == "number":
        if isinstance(value, bool):
            return None, f"{_named(q)}: give a number"
        try:
            num = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            return None, f"{_named(q)}: give a number"
        if not num.is_finite():
            return None, f"{_named(q)}: give a number"
        if num != num.quantize(Decimal(1).scaleb(-q.decimals)):
            return None, f"{_named(q)}: use at most {q.decimals} decimal places"
        if q.min is not None and num < q.min:
            return None, f"{_named(q)}: must be at least {q.min} (got {num})"
        if q.max is not None and num > q.max:
            return None, f"{_named(q)}: must be at most {q.max} (got {num})"
        return num, None
    if not isinstance(value, str):
        return None, f"{_named(q)}: give some text"
    if len(value) > q.max_length:
        return None, f"{_named(q)}: must be {q.max_length:,} characters or fewer (got {len(value):,})"
    return value, None


def validate_answer(policy: Policy, question_id: str, value: Any) -> AnswerProblem | None:
    """Check one answer; ``None`` when it is acceptable."""
    q = policy.questions.get(question_id)
    if q is None:
        return AnswerProblem(question_id, f"unknown question {question_id!r}")
    _, msg = normalise_answer(q, value)
    return AnswerProblem(question_id, msg) if msg else None


def validate_answers(policy: Policy, answers: Answers) -> list[AnswerProblem]:
    """Every problem in a set of answers (unanswered is not a problem here: see :func:`missing_answers`)."""
    out = []
    for qid, value in answers.items():
        if value is None:
            continue
        p = validate_answer(policy, qid, value)
        if p:
            out.append(p)
    return out


def normalise_answers(policy: Policy, answers: Answers) -> dict[str, Any]:
    """Canonical answers, raising :class:`AnswerError` listing every bad one."""
    problems = validate_answers(policy, answers)
    if problems:
        raise AnswerError(problems)
    return {qid: normalise_answer(policy.questions[qid], v)[0] for qid, v in answers.items() if v is not None}


def open_domains(policy: Policy, answers: Answers) -> list[str]:
    """Domains whose detailed questions apply: no triggers, or a "yes" to any trigger."""
    out = []
    for d in policy.model.questionnaire.domains:
        if not d.triggers or any(_is_yes(answers.get(t.id)) for t in d.triggers):
            out.append(d.id)
    return out


def _is_yes(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "yes")


def applicable_questions(policy: Policy, answers: Answers) -> list[Question]:
    """Questions to ask now, in order: every trigger, and the questions of open domains."""
    opened = set(open_domains(policy, answers))
    out: list[Question] = []
    for d in policy.model.questionnaire.domains:
        out.extend(d.triggers)
        if d.id in opened:
            out.extend(d.questions)
    return out


def applicable_answers(policy: Policy, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Only the answers to questions that apply: a closed domain's answers never count."""
    ids = {q.id for q in applicable_questions(policy, answers)}
    return {k: v for k, v in answers.items() if k in ids}


def missing_answers(policy: Policy, answers: Answers) -> list[MissingAnswer]:
    """Required applicable questions not yet answered, in questionnaire order."""
    return [
        MissingAnswer(q.id, policy.question_domain[q.id], q.person, q.staff)
        for q in applicable_questions(policy, answers)
        if q.required and answers.get(q.id) in (None, "")
    ]


# --------------------------------------------------------------------------- scores


def question_points_centi(q: Question, value: Any) -> int:
    """Points for one (normalised) answer, in hundredths of a point."""
    if value is None:
        return 0
    if q.type == "yes_no":
        return scaled(q.points_yes, CENTI) if value is True else 0
    if q.type == "single_choice":
        return next((scaled(o.points, CENTI) for o in q.options if o.value == value), 0)
    if q.type == "multiple_choice":
        return sum(scaled(o.points, CENTI) for o in q.options if o.value in value)
    return 0


def domain_points_centi(policy: Policy, answers: Mapping[str, Any]) -> dict[str, int]:
    """Raw points per domain (hundredths), counting only questions that apply."""
    opened = set(open_domains(policy, answers))
    out: dict[str, int] = {}
    for d in policy.model.questionnaire.domains:
        total = sum(question_points_centi(t, answers.get(t.id)) for t in d.triggers)
        if d.id in opened:
            total += sum(question_points_centi(q, answers.get(q.id)) for q in d.questions)
        out[d.id] = total
    return out


def derived_scores(policy: Policy, answers: Mapping[str, Any]) -> dict[str, int]:
    """Every derived value, at :data:`SCORE_SCALE` (1/10,000 of a point).

    A domain's points are multiplied by its weight and then capped; the sum is capped
    again. Integers throughout so the population engine can match it exactly.
    """
    raw = domain_points_centi(policy, answers)
    out: dict[str, int] = {}

    def value(name: str) -> int:
        if name in out:
            return out[name]
        d = policy.model.derived[name]
        if isinstance(d, PointsDerived):
            total = 0
            for dom, w in d.domains.items():
                v = raw.get(dom, 0) * scaled(w.weight, CENTI)
                if w.cap is not None:
                    v = min(v, scaled(w.cap, SCORE_SCALE))
                total += v
        else:
            total = sum(value(x) for x in d.of)
        if d.cap is not None:
            total = min(total, scaled(d.cap, SCORE_SCALE))
        out[name] = total
        return total

    for name in policy.model.derived:
        value(name)
    return out


def condition_holds(
    policy: Policy, c: Condition, answers: Mapping[str, Any], scores: Mapping[str, int], opened: set[str]
) -> bool:
    """Evaluate a policy condition against normalised answers (unanswered is never a match)."""
    if c.any_ is not None:
        return any(condition_holds(policy, s, answers, scores, opened) for s in c.any_)
    if c.all_ is not None:
        return all(condition_holds(policy, s, answers, scores, opened) for s in c.all_)
    if c.not_ is not None:
        return not condition_holds(policy, c.not_, answers, scores, opened)
    if c.domain_open is not None:
        return c.domain_open in opened
    if c.derived is not None:
        v = scores.get(c.derived, 0)
        return _in_range(v, c, SCORE_SCALE)
    assert c.answer is not None
    value = answers.get(c.answer)
    if c.answered is not None:
        return (value is not None) == c.answered
    if value is None:
        return False
    yes_no = policy.questions[c.answer].type == "yes_no"
    if c.is_ is not None:
        return value == _option_value(c.is_, yes_no)
    if c.in_ is not None:
        return value in [_option_value(v, yes_no) for v in c.in_]
    if c.includes is not None:
        return c.includes in value
    return _in_range(scaled(value, CENTI), c, CENTI)


def _option_value(v: Any, yes_no: bool) -> Any:
    """A condition's value as an answer compares: yes/no become bools for yes_no questions."""
    if yes_no:
        return v is True or (isinstance(v, str) and v.lower() == "yes")
    return str(v)


def _in_range(v: int, c: Condition, scale: int) -> bool:
    if c.at_least is not None and v < scaled(c.at_least, scale):
        return False
    return not (c.at_most is not None and v > scaled(c.at_most, scale))
