"""Policies as frozen data, allocations that explain themselves, what-if, recalculation, CLI."""

from __future__ import annotations

import io
import json

import pytest
from alloc_testdata import COMPLETE, POLICIES, make_assessment
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from selfdirect.allocation import services
from selfdirect.allocation.constants import AllocationSource, RunStatus
from selfdirect.allocation.models import Allocation, WhatIfRun
from selfdirect.core.constants import AuditAction, Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import AuditEvent
from selfdirect.policies import services as policy_services
from selfdirect.policies.constants import PolicyStatus
from selfdirect.policies.models import PolicyFrozen, PolicyVersion

NORTH_2026 = (POLICIES / "northshire" / "policy-2026.yaml").read_text()

# One policy with every kind of refusal the issue lists, each on a known line.
BAD = (
    NORTH_2026.replace("{answer: safety_risk_to_life, is: yes}", "{answer: safety_risk_to_lfe, is: yes}")
    .replace("price_per_point: asc_price_per_point", "price_per_point: asc_ppp_typo")
    .replace("amount: 27000", "amount: -27000")
    .replace("{id: medium, label: A medium level of support, from_points: 6,",
             "{id: medium, label: A medium level of support, from_points: 5,")
    .replace("of: [care_points, housing_points]", "of: [care_points, housing_points, loop_points]\n"
             "  loop_points:\n    kind: sum\n    of: [total_points]")
)  # fmt: skip


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_bad_policy_is_refused_with_every_error_by_line_and_never_stored(world):
    with pytest.raises(policy_services.PolicyRefused) as caught:
        policy_services.upload_policy(world.north.users[Role.COMMISSIONER], world.north.authority, BAD, "bad.yaml")
    text = "\n".join(caught.value.errors["yaml"])
    assert f"bad.yaml:{line_of(BAD, 'safety_risk_to_lfe')}:" in text and "unknown question" in text
    assert "missing rate" in text and "asc_ppp_typo" in text
    assert f"bad.yaml:{line_of(BAD, 'amount: -27000')}: rates.asc_price_per_point.amount" in text
    assert "overlaps" in text
    assert "circular reference" in text
    assert PolicyVersion.objects.count() == 0


def test_a_policy_for_another_authority_is_refused(world):
    with pytest.raises(policy_services.PolicyRefused) as caught:
        policy_services.upload_policy(None, world.south.authority, NORTH_2026, "policy-2026.yaml")
    assert "is for 'northshire'" in caught.value.errors["yaml"][0]


def test_publishing_freezes_the_version(world):
    commissioner = world.north.users[Role.COMMISSIONER]
    draft = policy_services.upload_policy(commissioner, world.north.authority, NORTH_2026, "policy-2026.yaml")
    assert draft.status == PolicyStatus.DRAFT and draft.version_id.startswith("northshire-2026@")
    assert policy_services.upload_policy(commissioner, world.north.authority, NORTH_2026, "again.yaml") == draft
    version = policy_services.publish_policy(commissioner, draft, "Approved by cabinet")
    assert version.status == PolicyStatus.PUBLISHED and version.published_by == commissioner
    assert version.content_hash == policy_services.policy_for(version).content_hash
    version.yaml_text = "changed"
    with pytest.raises(PolicyFrozen):
        version.save()
    with pytest.raises(PolicyFrozen):
        PolicyVersion.objects.get(pk=version.pk).delete()
    with pytest.raises(ServiceError):
        policy_services.publish_policy(commissioner, version)
    assert AuditEvent.objects.filter(
        object_type="policies.policyversion", reason="Approved by cabinet"
    ).exists()


def test_a_second_text_with_a_published_policy_id_cannot_be_published(world, north_2026):
    changed = NORTH_2026.replace("amount: 27000", "amount: 28000")
    draft = policy_services.upload_policy(None, world.north.authority, changed, "tweak.yaml")
    with pytest.raises(ServiceError) as caught:
        policy_services.publish_policy(None, draft)
    assert "already published" in caught.value.errors["policy_id"][0]
    with pytest.raises(IntegrityError):
        PolicyVersion.objects.filter(pk=draft.pk).update(status=PolicyStatus.PUBLISHED)


def test_allocation_records_version_rates_streams_and_every_line(world, north_2026):
    assessment = make_assessment(world.north.caseload_person, north_2026)
    assessor = world.north.users[Role.ASSESSOR]
    allocation = services.allocate_assessment(assessor, assessment)
    assert allocation.total_annual_pence == 945000  # seed case: (24 + 11) points x £270
    assert allocation.total_weekly_pence == 18173
    streams = {s.stream: (s.annual_pence, s.weekly_pence) for s in allocation.streams.all()}
    assert streams["adult_social_care"] == (945000, 18173)
    assert allocation.policy_version == north_2026
    assert allocation.rates_used == {"asc_price_per_point": "£270.00"}
    lines = allocation.explanation["lines"]
    assert sum(ln["amount_pence"] for ln in lines if ln["stream"] == "adult_social_care") == 945000
    assert all(ln["policy_version"] == north_2026.version_id for ln in lines)
    assert allocation.explanation["indicative"] is True
    event = AuditEvent.objects.get(action=AuditAction.ALLOCATE, object_id=str(allocation.pk))
    assert event.person_id == assessment.person_id and event.actor == assessor
    with pytest.raises(PolicyFrozen):
        allocation.save()


def test_an_incomplete_assessment_is_refused_listing_what_is_missing(world, north_2026):
    answers = {k: v for k, v in COMPLETE.items() if k not in ("age", "carer_trigger")}
    assessment = make_assessment(world.north.caseload_person, north_2026, answers)
    with pytest.raises(ServiceError) as caught:
        services.allocate_assessment(None, assessment)
    message = caught.value.errors["answers"][0]
    assert "How old are you? (About you)" in message and "help you without being paid? (Unpaid help)" in message
    assert "carer_trigger" not in message  # the questions in words, not their ids
    assert Allocation.objects.count() == 0


def test_assessor_band_overrides_with_reason(world, north_2026):
    assessment = make_assessment(
        world.north.caseload_person, north_2026, band="critical", derived_band="substantial",
        band_reason="Carer in hospital", confirmed_by=world.north.users[Role.ASSESSOR],
    )  # fmt: skip
    allocation = services.allocate_assessment(None, assessment)
    elig = allocation.explanation["eligibility"]
    assert elig["band"] == "critical" and elig["derived_band"] == "substantial" and elig["overridden"]
    assert "Carer in hospital" in elig["staff_text"]


def test_what_if_over_current_assessments_runs_as_a_task(
    world, published, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    v26, v27 = published[("northshire", "policy-2026.yaml")], published[("northshire", "policy-2027.yaml")]
    for person in (world.north.self_person, world.north.caseload_person):
        make_assessment(person, v26, status="submitted")
    with pytest.raises(ServiceError):
        services.start_what_if(None, world.north.authority, v26, published[("southvale", "policy-2026.yaml")])
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_what_if(world.north.users[Role.COMMISSIONER], world.north.authority, v26, v27)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    result = run.result
    assert result["people"] == 2
    # £270 -> £280 a point for 35 points each: £9,450 -> £9,800 per person.
    assert result["streams"]["adult_social_care"] == {
        "base_pence": 1890000, "proposed_pence": 1960000, "change_pence": 70000,
    }  # fmt: skip
    assert result["winners"] == 2 and result["losers"] == 0
    assert result["groups"]["client_group"]["Older people"]["people"] == 2
    assert result["pot"][0]["stream"] == "adult_social_care"


def test_synthetic_what_if_is_deterministic(world, published):
    v26, v27 = published[("northshire", "policy-2026.yaml")], published[("northshire", "policy-2027.yaml")]
    runs = [WhatIfRun.objects.create(authority=world.north.authority, base=v26, proposed=v27,
                                     population="synthetic", synthetic_size=300) for _ in range(2)]  # fmt: skip
    first, second = (services.execute_what_if(r) for r in runs)
    assert first == second and first["people"] == 300
    # 2027: £280 a point (up from £270), SP hours at the band midpoint (down from the upper end).
    assert first["streams"]["adult_social_care"]["change_pence"] > 0
    assert first["streams"]["supporting_people"]["change_pence"] < 0


def test_recalculation_previews_then_applies_on_confirmation(world, published):
    v26, v27 = published[("northshire", "policy-2026.yaml")], published[("northshire", "policy-2027.yaml")]
    assessment = make_assessment(world.north.caseload_person, v26, status="submitted")
    services.allocate_assessment(None, assessment)
    rows = services.recalculation_preview(world.north.authority, v27)
    assert [(r.current.total_annual_pence, r.new_total_pence, r.change_pence) for r in rows] == [
        (945000, 980000, 35000)
    ]
    assert Allocation.objects.count() == 1  # a preview writes nothing
    with pytest.raises(ServiceError):
        services.apply_recalculation(None, world.north.authority, v27, " ")
    assert (
        services.apply_recalculation(
            world.north.users[Role.COMMISSIONER], world.north.authority, v27, "2027 rates"
        )
        == 1
    )
    latest = Allocation.objects.first()
    assert latest.source == AllocationSource.RECALCULATION and latest.policy_version == v27
    assert latest.total_annual_pence == 980000 and latest.reason == "2027 rates"


def test_validate_policy_command_prints_file_line_path_and_exits_non_zero(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("validate_policy", str(bad), stderr=err)
    assert caught.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert (
        f"{bad}:{line_of(BAD, 'safety_risk_to_lfe')}: eligibility.rules.0.when.any.0.answer: unknown question 'safety_risk_to_lfe'"
        in lines
    )
    out = io.StringIO()
    call_command("validate_policy", str(POLICIES / "northshire" / "policy-2026.yaml"), stdout=out)
    assert "valid (northshire-2026@" in out.getvalue()


def test_publish_and_allocate_commands(world, tmp_path):
    out = io.StringIO()
    path = POLICIES / "northshire" / "policy-2026.yaml"
    with pytest.raises(CommandError):
        call_command("publish_policy", str(path), authority="northshire", username="northshire-assessor")
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    with pytest.raises(CommandError):
        call_command(
            "publish_policy",
            str(bad),
            authority="northshire",
            username="northshire-commissioner",
            stderr=io.StringIO(),
        )
    call_command(
        "publish_policy", str(path), authority="northshire", username="northshire-commissioner", stdout=out
    )
    assert "published northshire-2026@" in out.getvalue()
    version = PolicyVersion.objects.get(status=PolicyStatus.PUBLISHED)
    person = world.north.caseload_person
    make_assessment(person, version, status="submitted")
    out = io.StringIO()
    call_command(
        "allocate",
        person=person.reference,
        authority="northshire",
        username="northshire-assessor",
        stdout=out,
    )
    assert "total 945000p a year, 18173p a week" in out.getvalue()
    with pytest.raises(CommandError):  # not on the planner's... other team: not visible
        call_command(
            "allocate",
            person=world.north.other_person.reference,
            authority="northshire",
            username="northshire-assessor",
        )


def test_what_if_command(world, published):
    out = io.StringIO()
    call_command("what_if", authority="northshire", base="northshire-2026", proposed="northshire-2027",
                 synthetic=200, username="northshire-commissioner", json=True, stdout=out)  # fmt: skip
    result = json.loads(out.getvalue())
    assert result["people"] == 200 and set(result["groups"]) == {"client_group", "age_band"}


def test_demo_data_is_deterministic_and_idempotent(db):
    from selfdirect.allocation.demo import load_allocation_demo
    from selfdirect.assessment.models import Assessment
    from selfdirect.people.demo import load_demo

    load_demo(40)
    load_allocation_demo(assessed=8)
    totals = list(Allocation.objects.order_by("pk").values_list("total_annual_pence", flat=True))
    load_allocation_demo(assessed=8)
    assert list(Allocation.objects.order_by("pk").values_list("total_annual_pence", flat=True)) == totals
    assert PolicyVersion.objects.filter(status=PolicyStatus.PUBLISHED).count() == 3
    assert Assessment.objects.filter(person__user__username="northshire-person").count() == 0
    assert Assessment.objects.count() == 16 and len(totals) >= 16


def test_demo_keeps_a_policy_published_before_its_file_changed(db):
    """A demo database from before a policy file changed must still load: published versions never
    change, so the loader keeps the old one and says so instead of failing ./run."""
    from django.conf import settings

    from selfdirect.allocation.demo import load_allocation_demo
    from selfdirect.core.models import Authority, User
    from selfdirect.people.demo import load_demo

    load_demo(4)
    path = settings.PROJECT_DIR / "policies" / "southvale" / "policy-2026.yaml"
    old_text = path.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: Earlier ", 1)
    southvale = Authority.objects.get(slug="southvale")
    commissioner = User.objects.get(username="southvale-commissioner")
    earlier = policy_services.publish_file(commissioner, southvale, old_text, path.name)
    done = load_allocation_demo(assessed=2)
    assert any("policy-2026.yaml kept as published before" in line for line in done)
    published = PolicyVersion.objects.get(
        authority=southvale, policy_id=earlier.policy_id, status="published"
    )
    assert published == earlier and published.title.startswith("Earlier")
    assert any(line.startswith("northshire:") and "published" in line for line in done)
