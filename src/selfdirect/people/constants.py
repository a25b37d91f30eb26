"""Choices for people records. Client groups follow the Supporting People categories (seed 002,
Appendix 1); FACS bands follow Fair Access to Care Services."""

from django.db import models


class ClientGroup(models.TextChoices):
    # Care and Support groups
    SEVERE_LEARNING_DISABILITIES = "severe_ld", "Severe learning disabilities"
    SEVERE_MENTAL_HEALTH = "severe_mh", "Severe mental health problems"
    PHYSICAL_SENSORY = "physical_sensory", "Physical and sensory disabilities"
    OLDER_DEMENTIA = "older_dementia", "Older people with dementia"
    # Socially Excluded groups
    SINGLE_HOMELESS = "single_homeless", "Single homeless people"
    DRUG_ALCOHOL = "drug_alcohol", "Drug and alcohol users"
    EX_OFFENDERS = "ex_offenders", "Ex-offenders"
    DOMESTIC_VIOLENCE = "domestic_violence", "Women escaping domestic violence"
    YOUNG_AT_RISK = "young_at_risk", "Young people at risk or leaving care"
    HOMELESS_FAMILIES = "homeless_families", "Homeless families"
    TEENAGE_PARENTS = "teenage_parents", "Teenage parents"
    REFUGEES = "refugees", "Refugees"
    TRAVELLERS = "travellers", "Travellers"
    # Independence with Support groups
    OLDER_PEOPLE = "older", "Older people"
    HIV = "hiv", "People with HIV"
    MILD_LEARNING_DISABILITIES = "mild_ld", "People with mild learning disabilities"
    MILD_MENTAL_HEALTH = "mild_mh", "People with mild mental health problems"


CLIENT_GROUP_FAMILIES = {
    "Care and Support": [
        ClientGroup.SEVERE_LEARNING_DISABILITIES,
        ClientGroup.SEVERE_MENTAL_HEALTH,
        ClientGroup.PHYSICAL_SENSORY,
        ClientGroup.OLDER_DEMENTIA,
    ],
    "Socially Excluded": [
        ClientGroup.SINGLE_HOMELESS,
        ClientGroup.DRUG_ALCOHOL,
        ClientGroup.EX_OFFENDERS,
        ClientGroup.DOMESTIC_VIOLENCE,
        ClientGroup.YOUNG_AT_RISK,
        ClientGroup.HOMELESS_FAMILIES,
        ClientGroup.TEENAGE_PARENTS,
        ClientGroup.REFUGEES,
        ClientGroup.TRAVELLERS,
    ],
    "Independence with Support": [
        ClientGroup.OLDER_PEOPLE,
        ClientGroup.HIV,
        ClientGroup.MILD_LEARNING_DISABILITIES,
        ClientGroup.MILD_MENTAL_HEALTH,
    ],
}


class FacsBand(models.TextChoices):
    CRITICAL = "critical", "Critical"
    SUBSTANTIAL = "substantial", "Substantial"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"
    NOT_ASSESSED = "not_assessed", "Not yet assessed"


class PrimarySupportReason(models.TextChoices):
    PHYSICAL = "physical", "Physical support"
    SENSORY = "sensory", "Sensory support"
    MEMORY_COGNITION = "memory_cognition", "Support with memory and cognition"
    LEARNING_DISABILITY = "learning_disability", "Learning disability support"
    MENTAL_HEALTH = "mental_health", "Mental health support"
    SOCIAL = "social", "Social support"
    HOUSING = "housing", "Housing-related support"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_SAID = "not_said", "Prefers not to say"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    POST = "post", "Letter"
    TEXT = "text", "Text message"
    VISIT = "visit", "Visit in person"


class RepresentativeType(models.TextChoices):
    FAMILY = "family", "Family member"
    FRIEND = "friend", "Friend"
    ADVOCATE = "advocate", "Advocate"
    SUITABLE_PERSON = "suitable_person", "Suitable person (holds a direct payment)"
    ATTORNEY = "attorney", "Attorney (lasting power of attorney)"
    DEPUTY = "deputy", "Deputy (Court of Protection)"


class ContactKind(models.TextChoices):
    PHONE = "phone", "Phone call"
    VISIT = "visit", "Visit"
    MEETING = "meeting", "Meeting"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    OTHER = "other", "Other"
