"""The labels an authority's policies give their codes, registered with core.words: a funding
stream's title (and the title written for the person), a question's wording for staff, a policy
version's title and date. Every version counts (a budget may come from last year's policy); where
two versions label one code, the newer one's words win."""

from __future__ import annotations

from collections.abc import Callable

from selfdirect.core import words

from . import engine
from .constants import PolicyStatus
from .models import PolicyVersion
from .services import policy_for


def _published(authority_id: int) -> list[engine.Policy]:
    versions = PolicyVersion.objects.filter(authority_id=authority_id, status=PolicyStatus.PUBLISHED)
    return [policy_for(v) for v in versions.order_by("effective_from", "published_at")]


def _from_policies(pick: Callable[[engine.Policy], dict[str, str]]) -> Callable[[int], dict[str, str]]:
    def source(authority_id: int) -> dict[str, str]:
        found: dict[str, str] = {}
        for policy in _published(authority_id):
            found.update(pick(policy))
        return found

    return source


def _streams(policy: engine.Policy) -> dict[str, str]:
    return {code: s.title for code, s in policy.model.streams.items()}


def _streams_for_person(policy: engine.Policy) -> dict[str, str]:
    return {code: s.person_title or s.title for code, s in policy.model.streams.items()}


def _questions(policy: engine.Policy) -> dict[str, str]:
    return {qid: q.staff for qid, q in policy.questions.items()}


def _answers(policy: engine.Policy) -> dict[str, str]:
    """Each option of each question, keyed "question=value", in the words the staff read."""
    return {f"{qid}={option.value}": option.staff_label or option.label
            for qid, q in policy.questions.items() for option in getattr(q, "options", None) or []}  # fmt: skip


def _versions(authority_id: int) -> dict[str, str]:
    return {v.version_id: v.label for v in PolicyVersion.objects.filter(authority_id=authority_id)}


def _short(description: str) -> str:
    """A rate's description up to its first aside: "Standard SP hourly rate, upper end (seed 002,
    £15-£18)" -> "Standard SP hourly rate, upper end"."""
    return description.split(" (")[0].split(": ")[0].strip()


def policy_words(policy: engine.Policy) -> dict[str, str]:
    """The names a policy gives its parts ({code: words}): its rates, scores, questions, answer
    options, streams and questionnaire sections, to put staff working into words."""
    m = policy.model
    found: dict[str, str] = {}
    for question in policy.questions.values():
        for option in getattr(question, "options", None) or []:
            found.setdefault(str(option.value), option.staff_label or option.label)
    found.update({d.id: d.title for d in m.questionnaire.domains})
    found.update({qid: q.staff for qid, q in policy.questions.items()})
    found.update({name: d.description or words.humanise(name) for name, d in m.derived.items()})
    found.update({rid: _short(r.description) or words.humanise(rid) for rid, r in m.rates.items()})
    found.update({code: s.title for code, s in m.streams.items()})
    return found


def in_words(policy: engine.Policy, text: str) -> str:
    """Staff working written with the policy's names ("care_points = 34 points x asc_price_per_point
    £270.00"), with each name put in the policy's own words."""
    return words.replace_codes(text, policy_words(policy))


def register() -> None:
    words.register("stream", _from_policies(_streams))
    words.register("stream.person", _from_policies(_streams_for_person))
    words.register("question", _from_policies(_questions))
    words.register("answer", _from_policies(_answers))
    words.register("policy_version", _versions)
