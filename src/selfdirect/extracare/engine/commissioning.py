# ruff: noqa: E501  (seed text quoted as data; wrapping the quotations would not make them clearer)
"""Commissioning models A-F for care in Extra Care Housing (seed 003 §4) as editable data.

The seed weighs six ways to commission round-the-clock care and support and closes with the
questions in §4.7.2 for "shaping and assessing" an approach. It gives no verdict, and nor
does the engine: :func:`appraise` lays the chosen models side by side against the questions,
with the seed's advantages and disadvantages as default notes a commissioner can edit, and
leaves every answer for people to fill in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from .errors import SchemeInputError


@dataclass(frozen=True)
class CommissioningModel:
    """One model: its letter, name, the seed's description, and its pros and cons (editable)."""

    key: str
    name: str
    description: str
    advantages: tuple[str, ...]
    disadvantages: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppraisalQuestion:
    key: str
    text: str


APPRAISAL_QUESTIONS: tuple[AppraisalQuestion, ...] = (
    AppraisalQuestion(
        "key_benefits",
        "Does this approach still offer the key benefits of extra care housing? Does it offer more than "
        "would be available in standard sheltered or general needs housing, and offer an option for "
        "people who would otherwise require residential care?",
    ),
    AppraisalQuestion(
        "choice_control",
        "Does the approach optimise individual choice, control and personalised provision, including "
        "access to a personal budget?",
    ),
    AppraisalQuestion(
        "involvement",
        "Does it enable opportunities for genuine involvement, co-production and control of on-site services?",
    ),
    AppraisalQuestion(
        "coordination",
        "Does this approach retain the potential for seamless, integrated or co-ordinated service delivery?",
    ),
    AppraisalQuestion(
        "responsiveness", "To what extent does it enable a cohesive, responsive and flexible service?"
    ),
    AppraisalQuestion("simplicity", "Is the approach relatively simple, transparent and easy to understand?"),
    AppraisalQuestion(
        "care_home_risk",
        "Does this approach minimise the risk of being seen as accommodation and care provided together "
        "and registrable as a care home?",
    ),
    AppraisalQuestion("charging", "Are charging arrangements lawful, fair and clear?"),
    AppraisalQuestion(
        "reference_rents", "Does the approach risk not being exempt from local reference rents?"
    ),
)
"""Seed 003 §4.7.2, word for word."""

_B_ADV = (
    "Probably optimises on the financial aspects of Putting People First by keeping block contracting to a "
    "minimum while still ensuring round-the-clock care and support are provided.",
    "Incentivises the provider to offer a good quality service at a competitive price.",
    "Occupants have an open choice of individual packages: they do not have to opt out of something to "
    "exercise that choice.",
    "If the service meets occupants' aspirations and standards, the on-site provider is likely to be chosen.",
    "Spending personal budgets on off-site activities, or on people coming in to run communal activities, "
    "can only be of benefit.",
)
_B_DIS = (
    "In smaller schemes, depending on what the core comprises, it may be less cost effective; applying some "
    "core time to planned care rather than all of it floating would address this.",
    "Depending on occupants' choices there may be less co-ordination, synergy, cohesion and cost-effectiveness "
    "than with a single provider; providers may not invest in a dedicated staff group for spot-purchased care.",
    "If many off-site providers are used, building security may be harder to maintain; duty-of-care questions "
    "arise for housing providers.",
    "For people with dementia, where flexible responsive services matter more than planned units of care, a "
    "minimal on-site core may not be a good model.",
    "It may be harder to recruit, train and keep staff where demand is less predictable.",
    "Depending on configuration, contracting and charging, a slight risk of registration as a care home.",
    "Providers fear off-site providers competing on cost without the added value of on-site provision, "
    "leaving the on-site provider to 'pick up the pieces'.",
)
_C_ADV = (
    "Probably best optimises the benefits of extra care whilst ensuring occupants retain choice and control.",
    "Ensures a round-the-clock care and support service, and probably wider support and activities, exist on "
    "site for occupants to choose.",
    "Makes advisable a transparent approach, clear about what the on-site service offers, its benefits and "
    "costs, and the other choices open to occupants.",
    "Gives the on-site service an incentive to be of high quality, flexible, responsive and personally tailored.",
    "Retains the benefits of a care team: cohesion, staff continuity, stability, flexibility and responsiveness.",
    "Gives partners an incentive to plan together before the scheme opens.",
    "Keeps the accommodation and care contractually separate.",
)
_C_DIS = (
    "Breaking the service into components that occupants may select can fragment it and cause tension; a "
    "clear policy is needed on what can be opted out of and what withdrawing implies.",
    "Potential risk of double-paying, which an agreement to reduce the block can mitigate.",
    "Over-generous block contracts can cultivate a dependency culture and waste resources.",
    "It may not satisfy the requirement to minimise block contracting.",
)

MODELS: tuple[CommissioningModel, ...] = (
    CommissioningModel(
        "A",
        "Spot-purchasing",
        "The provider takes the risk of providing round-the-clock cover and relies on enough take-up of "
        "on-site care by private purchasers, personal budget holders or council spot purchases, possibly "
        "under a framework agreement. More likely to work in very large developments, or where some cover "
        "(support rather than care) carries a fixed charge.",
        (
            "Maximises freedom of choice in the use of personal budgets while still ensuring round-the-clock cover.",
            "Minimises the council's money tied up in block contracts.",
        ),
        (
            "May challenge the provider's ability to staff a flexible and responsive service.",
            "Many providers, particularly of smaller schemes, may be unable to take the risk (see Option F).",
        ),
        (
            "With a compulsory charge for the 24/7 cover this is a variation on Option B, whose pros and cons apply.",
        ),
    ),
    CommissioningModel(
        "B",
        "Core and add-on",
        "The council commissions the core, usually minimum round-the-clock on-site care and support; planned "
        "care or support is bought with personal budgets from the on-site provider or an off-site one.",
        _B_ADV,
        _B_DIS,
        (
            "Decide whether the core is care, care and support, a grant, or housing-related support made a "
            "condition of occupancy; each has funding, charging and registration consequences.",
        ),
    ),
    CommissioningModel(
        "C",
        "Block contract the whole service, with freedom of choice",
        "The whole on-site service is block contracted (in volume or in packages by band) but occupants may "
        "use their personal budgets to buy from elsewhere, and are told so.",
        _C_ADV,
        _C_DIS,
    ),
    CommissioningModel(
        "D",
        "Block contract the whole service, choice made by choosing the scheme",
        "The 'package holiday' approach: the full care and support provision is block contracted and occupants "
        "are expected to use it; choice is made upstream, by choosing Extra Care Housing.",
        (
            "Allows choice upstream so that there is a stable, funded service.",
            "The advantages of Option C apply, except the first.",
            "Can offer a more cohesive service without itemising and costing separate components.",
            "Keeps the advantages of few providers on site: communication, co-ordination, synergy, flexibility, "
            "responsiveness and economies of scale.",
            "Choice and personally tailored delivery remain possible within the on-site provision.",
        ),
        (
            "May be tantamount to 'personal care and accommodation provided together' and registrable as a care home.",
            "Does not conform to Putting People First: personal budgets are not portable.",
            "Cohesion can come with a lack of clarity and transparency about what the service covers.",
            "Arguably unnecessary: a good on-site service would be chosen anyway.",
            "Occupants may feel lumbered with an unsatisfactory provider.",
            "The last three disadvantages of Option C also apply.",
        ),
    ),
    CommissioningModel(
        "E",
        "Co-production or social enterprise",
        "A co-operative approach that can evolve from any other model, from residents shaping the service to "
        "joining together (pooling budgets) to procure it or employ a provider.",
        (
            "Enables the resident group to shape the services they receive, their cost and who provides them.",
            "Increases participation, choice and possibly control, exercised democratically as a group.",
            "Some co-production models suit people with the energy and motivation to get involved.",
            "A good supplement to a core service, e.g. for arranging activities.",
        ),
        (
            "Many occupants may be too frail to play an active part in decision-making of this sort.",
            "Cannot build the core service from scratch before opening unless residents are known well in advance.",
        ),
        ("Can be applied alongside any of Options A-D.",),
    ),
    CommissioningModel(
        "F",
        "Pump-priming",
        "The core or full service is block contracted for a fixed period, so 24/7 care and the provider's "
        "infrastructure are in place from the outset; then it converts to spot purchasing with personal "
        "budgets or private funds.",
        (
            "The core service is available from opening and can attract and meet a wide range of needs.",
            "Combines certainty at the start, justifying the provider's investment, with an incentive to stay "
            "good and competitive.",
            "Can precede other approaches, including co-production and spot purchasing.",
        ),
        ("The council may need to step in if the round-the-clock service founders, to protect occupants.",),
        ("Can be applied alongside any of Options A-D.",),
    ),
)


def model(key: str) -> CommissioningModel:
    """The model with this letter (case-insensitive); :class:`SchemeInputError` if there is none."""
    for m in MODELS:
        if m.key == key.upper():
            return m
    raise SchemeInputError("model", f"unknown commissioning model {key!r}; choose from A-F")


@dataclass(frozen=True)
class AppraisalCell:
    """A model's answer to a question: empty until people fill it in (no automatic verdict)."""

    model: str
    question: str
    answer: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class Appraisal:
    """Models side by side: the models (with pros and cons), the questions, and a grid of cells."""

    models: tuple[CommissioningModel, ...]
    questions: tuple[AppraisalQuestion, ...]
    cells: tuple[AppraisalCell, ...] = field(default=())

    def cell(self, model_key: str, question_key: str) -> AppraisalCell:
        for c in self.cells:
            if c.model == model_key and c.question == question_key:
                return c
        raise KeyError((model_key, question_key))

    def rows(self) -> list[list[str]]:
        """A table: header row of model names, then one row per question with answers (blank if none)."""
        table = [["Question", *[f"{m.key}: {m.name}" for m in self.models]]]
        for q in self.questions:
            table.append([q.text, *[self.cell(m.key, q.key).answer or "" for m in self.models]])
        return table


def appraise(
    keys: Sequence[str] = ("A", "B", "C", "D", "E", "F"),
    *,
    answers: Mapping[tuple[str, str], str] | None = None,
    notes: Mapping[str, Sequence[str]] | None = None,
) -> Appraisal:
    """Side-by-side appraisal of the chosen models against the §4.7.2 questions.

    ``answers`` maps ``(model key, question key)`` to the authority's own answer; ``notes``
    replaces a model's default notes. Nothing is scored or ranked: the seed is clear that every
    model has pros and cons and the choice is a judgement for commissioners and providers.
    """
    answers = {(m.upper(), q): v for (m, q), v in (answers or {}).items()}
    known_q = {q.key for q in APPRAISAL_QUESTIONS}
    problems = [
        (f"answers[{m},{q}]", "unknown question" if q not in known_q else "model not in this appraisal")
        for (m, q) in answers
        if q not in known_q or m.upper() not in [k.upper() for k in keys]
    ]
    if problems:
        raise SchemeInputError(problems=problems)
    chosen = []
    for k in keys:
        m = model(k)
        if notes and m.key in notes:
            m = replace(m, notes=tuple(notes[m.key]))
        chosen.append(m)
    cells = tuple(
        AppraisalCell(m.key, q.key, answers.get((m.key, q.key))) for m in chosen for q in APPRAISAL_QUESTIONS
    )
    return Appraisal(tuple(chosen), APPRAISAL_QUESTIONS, cells)
