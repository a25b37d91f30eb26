"""An answer to a policy's question, in an assessment's history, reads as the option's words."""

from __future__ import annotations

import pytest

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_answer_in_an_assessments_history_reads_as_its_option_not_its_code(world, published):
    """Walking the pages, the audit log read "Person: Primary client group: learning_disability": an
    answer to the policy's question was shown as the option's code."""
    event = AuditEvent(
        authority=world.north.authority, actor_label="Asha Assessor", action=AuditAction.CHANGE,
        object_type="assessment.assessment", object_id="1", object_label="Self-assessment", reason="Answers recorded",
        changes={"person.client_group": [None, "learning_disability"], "assessor.never_asked": [None, "some_code"]},
    )  # fmt: skip
    shown = audit.describe(event)
    assert [(c.label, c.after) for c in shown.changes] == [
        ("Person: Primary client group", "I have a learning disability"),  # the policy's words for the option
        ("Assessor: Never asked", "Some code"),  # no policy words it: the code in words
    ]
