"""Choices for support plans, the risk enablement panel, reviews and refusals."""

from django.db import models


class PlanState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for sign-off"
    RETURNED = "returned", "Returned for changes"
    REFERRED = "referred", "Referred to the risk enablement panel"
    APPROVED = "approved", "Approved"
    NOT_APPROVED = "not_approved", "Not approved"
    APPEALED = "appealed", "Appeal waiting"
    ACTIVE = "active", "Active (money deployed)"
    UNDER_REVIEW = "under_review", "Under review"
    WITHDRAWAL_NOTICE = "withdrawal_notice", "Funding withdrawal notice given"
    ENDED = "ended", "Ended"


class Deployment(models.TextChoices):
    """Who holds the money (seed 002 'Different funding routes'; seed 004 glossary)."""

    DIRECT_PAYMENT = "direct_payment", "Direct payment (cash to the person or a suitable person)"
    COUNCIL_MANAGED = "council_managed", "Council-managed account"
    THIRD_PARTY = "third_party", "Third-party managed account"
    ISF = "isf", "Individual Service Fund (a provider holds it)"
    VIRTUAL = "virtual", "Virtual budget (chosen from the preferred-provider list)"
    MIX = "mix", "Mix and match"


class Frequency(models.TextChoices):
    WEEK = "week", "Per week"
    MONTH = "month", "Per month"
    YEAR = "year", "Per year"
    ONE_OFF = "one_off", "One-off"


class LineKind(models.TextChoices):
    SERVICE = "service", "Service from a provider"
    PERSONAL_ASSISTANT = "pa", "Personal assistant"
    EQUIPMENT = "equipment", "Equipment"
    ONE_OFF = "one_off", "One-off purchase"
    BROKER = "broker", "Support planning or brokerage"
    OTHER = "other", "Something else"


class Helper(models.TextChoices):
    """Who helped write the plan (seed 001, 'The role of brokers and support planners')."""

    SELF = "self", "The person on their own"
    FAMILY = "family", "Family or friends"
    BROKER = "broker", "A support planner or broker"
    SOCIAL_WORKER = "social_worker", "A social worker or care co-ordinator"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


RISK_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


class Progress(models.TextChoices):
    """'Have you achieved your objectives?' (seed 001, Barking & Dagenham)."""

    NOT_AT_ALL = "not_at_all", "Not at all"
    PARTLY = "partly", "Partly"
    MOSTLY = "mostly", "Mostly"
    FULLY = "fully", "Fully"


class PanelDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    CONDITIONS = "conditions", "Approved with conditions"
    NOT_APPROVED = "not_approved", "Not approved"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld: the plan is approved"
    DISMISSED = "dismissed", "Dismissed: the panel's decision stands"


class Attendance(models.TextChoices):
    INVITED = "invited", "Invited"
    ATTENDED = "attended", "Attended"
    REPRESENTED = "represented", "Represented by someone else"
    DECLINED = "declined", "Declined"
    DID_NOT_ATTEND = "absent", "Did not attend"


class InvitationSent(models.TextChoices):
    """How an invitation to the risk enablement panel was sent (blank: not sent yet)."""

    LETTER = "letter", "By letter"
    EMAIL = "email", "By email"
    PHONE = "phone", "By phone"
    IN_PERSON = "in_person", "Given in person"
    PORTAL = "portal", "On their plan page only"


class RefusalReason(models.TextChoices):
    """Why someone declined a personal budget (seed 001: Lincolnshire follows these up)."""

    PREFERS_SERVICES = "prefers_services", "Prefers the services they have"
    MONEY_WORRIES = "money_worries", "Worried about handling the money"
    TOO_COMPLICATED = "too_complicated", "Found the process too complicated"
    MISINFORMED = "misinformed", "Had wrong or incomplete information"
    NOT_NOW = "not_now", "Not the right time"
    OTHER = "other", "Another reason"


class ReviewKind(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled review"
    REQUESTED = "requested", "Asked for by the person"
    CHANGE = "change", "Needs have changed"
