"""Words on screen come from labels, never from codes (core/words.py): an audit entry is shown with
the model's verbose name, field labels and values in words (issue 20.1)."""

from __future__ import annotations

import pytest

from selfdirect.core import audit, words
from selfdirect.core.constants import AuditAction
from selfdirect.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_history_entry_reads_as_words(world):
    authority = world.north.authority
    event = AuditEvent(
        authority=authority, actor_label="Frank Finance", action=AuditAction.CREATE, object_type="ledger.budget",
        object_id="1", object_label="Margaret Okafor adult_social_care 2026-27", reason="Agreed under x_y@0123456789ab",
        changes={"stream": [None, "adult_social_care"], "agreed_annual_pence": [None, 416000],
                 "period_start": [None, "2026-04-05"], "status": ["draft", "agreed"],
                 "difference_reasons": [None, ""], "assessor.pc_trigger": [None, False]},
    )  # fmt: skip
    shown = audit.describe(event)
    assert shown.what == "Created budget" and shown.reason == "Agreed under x_y@0123456789ab"  # unknown: kept
    assert shown.object_label == "Margaret Okafor adult social care 2026-27"  # no policy titles it here
    assert [(c.label, c.before, c.after) for c in shown.changes] == [
        ("Stream", "", "Adult social care"),
        ("Agreed annual", "", "£4,160.00"),
        ("Period start", "", "5 April 2026"),
        ("Status", "Draft", "Agreed"),
        ("Assessor: Pc trigger", "", "No"),  # no published policy here to word the question
    ]  # the blank difference reasons, unchanged, are left out


def test_codes_nobody_labels_are_still_shown_in_words():
    assert words.humanise("council_managed") == "Council managed"
    assert words.label("no-such-kind", None, "floating_share") == "Floating share"
    assert words.model_name("ledger.chargeassessment") == "Charge assessment"
    assert words.replace_codes("care_points x asc_rate", {"care_points": "Care score"}) == "Care score x asc rate"

