"""Choices for the market: kinds of provider and support, units, rate bands, contracts."""

from django.db import models


class ProviderKind(models.TextChoices):
    AGENCY = "agency", "Home care or support agency"
    HOUSING = "housing", "Housing and support provider"
    DAY = "day", "Day or community service"
    EQUIPMENT = "equipment", "Equipment or adaptations supplier"
    OTHER = "other", "Other organisation"


class SupportType(models.TextChoices):
    PERSONAL_CARE = "personal_care", "Personal care"
    HOUSING_SUPPORT = "housing_support", "Housing-related support"
    DOMESTIC = "domestic", "Help around the home"
    SOCIAL = "social", "Getting out and social activities"
    NIGHT = "night", "Night support"
    RESPITE = "respite", "Short breaks"
    EQUIPMENT = "equipment", "Equipment and adaptations"
    MENTAL_HEALTH = "mental_health", "Mental health and recovery"


class Unit(models.TextChoices):
    HOUR = "hour", "hour"
    VISIT = "visit", "visit"
    NIGHT = "night", "night"
    WEEK = "week", "week"
    ITEM = "item", "item"


class Band(models.TextChoices):
    """Which rate applies to a moment. Standard applies when no enhanced band does."""

    STANDARD = "standard", "Standard"
    EVENING = "evening", "Evening"
    NIGHT = "night", "Night"
    WEEKEND = "weekend", "Weekend"
    BANK_HOLIDAY = "bank_holiday", "Bank holiday"


ENHANCED_BANDS = (Band.BANK_HOLIDAY, Band.NIGHT, Band.WEEKEND, Band.EVENING)
DEFAULT_PRECEDENCE = "bank_holiday,night,weekend,evening"


class QafLevel(models.TextChoices):
    A = "A", "A (excellent)"
    B = "B", "B (good)"
    C = "C", "C (meets minimum standards)"
    D = "D", "D (below minimum standards)"


class CheckOutcome(models.TextChoices):
    MET = "met", "Standards met"
    PARTLY = "partly", "Partly met: actions agreed"
    NOT_MET = "not_met", "Not met"


class CheckKind(models.TextChoices):
    DBS = "dbs", "DBS (criminal record) check"
    REFERENCE = "reference", "Reference"
    TRAINING = "training", "Training"


class BrokerKind(models.TextChoices):
    BROKER = "broker", "Support broker"
    PLANNER = "planner", "Support planner"
    BOTH = "both", "Support planning and brokerage"


class FeeBasis(models.TextChoices):
    HOUR = "hour", "per hour"
    FIXED = "fixed", "fixed fee"


class ListKind(models.TextChoices):
    PREFERRED = "preferred", "Preferred-provider list"
    FRAMEWORK = "framework", "Framework agreement (price fixed, no volume guaranteed)"


class ContractKind(models.TextChoices):
    BLOCK = "block", "Block"
    SPOT = "spot", "Spot"
    FRAMEWORK = "framework", "Framework"
    COST_AND_VOLUME = "cost_and_volume", "Cost and volume"


class BlockBasis(models.TextChoices):
    HOURS = "hours", "Hours (units) per period"
    LUMP_SUM = "lump_sum", "Lump sum per period"
    POSTS = "posts", "Posts"


class Period(models.TextChoices):
    WEEK = "week", "week"
    MONTH = "month", "month"
    YEAR = "year", "year"


class DoubleFunding(models.TextChoices):
    """Seed 002 "Contractual arrangements": how a block-funded provider that also sells to budget
    holders avoids being paid twice."""

    NOT_APPLICABLE = "", "Not applicable"
    INCREASE_CAPACITY = "increase_capacity", "Increase capacity: budget-holder units are on top of the block"
    ABATE = "abate", "Abate the block: units sold to budget holders are taken off the block payment"
    SET_ASIDE = "set_aside", "Set units aside in the block for budget holders"


class Funding(models.TextChoices):
    BLOCK = "block", "Block contract"
    BUDGET = "budget", "Personal budget"


class Duty(models.TextChoices):
    """What a budget holder who employs a personal assistant must have in place (seed 004 Q12)."""

    CONTRACT = "contract", "Written contract of employment"
    PAYROLL = "payroll", "Payroll, tax and National Insurance"
    INSURANCE = "insurance", "Employer's liability insurance"
    HOLIDAY_PAY = "holiday_pay", "Holiday pay"
    PENSION = "pension", "Workplace pension (auto-enrolment)"
    RIGHT_TO_WORK = "right_to_work", "Right-to-work check"


class DutyStatus(models.TextChoices):
    TO_DO = "to_do", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "Not needed"
