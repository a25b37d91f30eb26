"""Choices for assessments."""

from django.db import models


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    SUBMITTED = "submitted", "Sent"
    CONFIRMED = "confirmed", "Eligibility confirmed"


class Respondent(models.TextChoices):
    """Who gave the person's answers: seed 001 describes councils talking people through it."""

    PERSON = "person", "The person themselves"
    REPRESENTATIVE = "representative", "A representative acting for the person"
    WORKER = "worker", "A worker talking the person through it"


class Side(models.TextChoices):
    PERSON = "person", "The person's answers"
    ASSESSOR = "assessor", "The assessor's answers"
