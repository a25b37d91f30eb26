"""Resource allocation engine: pure Python (no Django), policy as data, money in integer pence.

Public API for the Django app and the API layer:

* policy: :func:`load_policy`, :func:`load_policy_dir`, :class:`Policy`, :class:`PolicySet`,
  :class:`PolicyError`, :class:`PolicyProblem`
* questionnaire: :func:`applicable_questions`, :func:`open_domains`, :func:`missing_answers`,
  :func:`validate_answer`, :func:`validate_answers`
* eligibility: :func:`determine_eligibility`, :class:`AssessorDecision`, :class:`EligibilityResult`
* allocation: :func:`allocate` -> :class:`Allocation` with :class:`ExplanationLine` s
* methods: :mod:`.methods`, one module per allocation method (calculation, explanation,
  vectorised form, checks), found by the method's ``kind``
* population: :class:`Population`, :func:`compute_population`, :func:`what_if`,
  :func:`size_price_per_point`, :func:`sizing_method`, :func:`with_rates`, :func:`age_bands`
* YAML test cases: :func:`load_cases`, :func:`run_case`
"""

from .allocate import Allocation, AssessmentIncomplete, ExplanationLine, StreamAllocation, allocate
from .cases import PolicyCase, load_cases, run_case
from .eligibility import AssessorDecision, EligibilityResult, determine_eligibility
from .loader import Policy, PolicyError, PolicyProblem, PolicySet, load_policy, load_policy_dir
from .money import format_pence
from .population import (
    Population,
    PopulationResult,
    PotSizing,
    age_bands,
    compute_population,
    size_price_per_point,
    sizing_method,
    what_if,
    with_rates,
)
from .questionnaire import (
    AnswerError,
    AnswerProblem,
    MissingAnswer,
    applicable_questions,
    missing_answers,
    open_domains,
    validate_answer,
    validate_answers,
)
from .schema import FACS_BANDS, STREAM_IDS

__all__ = [
    "FACS_BANDS",
    "STREAM_IDS",
    "Allocation",
    "AnswerError",
    "AnswerProblem",
    "AssessmentIncomplete",
    "AssessorDecision",
    "EligibilityResult",
    "ExplanationLine",
    "MissingAnswer",
    "Policy",
    "PolicyCase",
    "PolicyError",
    "PolicyProblem",
    "PolicySet",
    "Population",
    "PopulationResult",
    "PotSizing",
    "StreamAllocation",
    "age_bands",
    "allocate",
    "applicable_questions",
    "compute_population",
    "determine_eligibility",
    "format_pence",
    "load_cases",
    "load_policy",
    "load_policy_dir",
    "missing_answers",
    "open_domains",
    "run_case",
    "size_price_per_point",
    "sizing_method",
    "validate_answer",
    "validate_answers",
    "what_if",
    "with_rates",
]
