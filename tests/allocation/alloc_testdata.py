"""Test data for the allocation and assessment apps: the demo policies, a complete answer set
with a seed figure, and helpers to publish policies and make assessments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role
from selfdirect.policies import services as policy_services

POLICIES = Path(__file__).resolve().parents[2] / "policies"
ON = dt.date(2026, 5, 1)

# The seed-figure case from policies/northshire/tests/adult_social_care.yaml, made complete:
# (24 + 11) points x £270 = £9,450 a year, £181.73 a week.
COMPLETE = {
    "client_group": "older_people", "age": "80",
    "pc_trigger": True, "pc_washing": "all", "pc_dressing": "all", "pc_toilet": True,
    "eat_trigger": False, "mob_trigger": True, "mob_indoors": "hoist", "mob_outdoors": True,
    "hs_need_to_move": False, "hs_settle_in": False, "hs_tenancy_threat": False, "hs_manage_finances": False,
    "fin_trigger": False, "soc_trigger": False, "work_trigger": False, "comm_trigger": False,
    "safety_trigger": False, "carer_trigger": False,
}  # fmt: skip


def publish_demo_policies(world, names=("policy-2026.yaml", "policy-2027.yaml")):
    out = {}
    for side in (world.north, world.south):
        for name in names:
            path = POLICIES / side.authority.slug / name
            if path.exists():
                out[(side.authority.slug, name)] = policy_services.publish_file(
                    side.users[Role.COMMISSIONER], side.authority, path.read_text(), name
                )
    return out


def make_assessment(person, version, answers=None, **extra):
    return Assessment.objects.create(
        authority=person.authority, person=person, policy_version=version, on=ON,
        person_answers=dict(COMPLETE if answers is None else answers), **extra,
    )  # fmt: skip
