"""The risk enablement panel: its weekly meetings, the plans referred to it, the invitations to the
person and their representatives, attendance and minutes. Its decisions, and appeals against them,
are transitions (effects.py)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction, Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User

from .. import access
from ..constants import Attendance, InvitationSent
from ..models import Appeal, PanelInvitation, PanelMeeting, PanelReferral, SupportPlan
from ..workflow import TransitionForbidden
from .common import local_day
from .policies import current_rules

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def next_meeting(authority: Authority, on_or_after: dt.date) -> PanelMeeting:
    """The panel's next weekly meeting on or after a date, on the weekday the rules set."""
    rules, _ = current_rules(authority)
    weekday = WEEKDAYS.index(rules.panel.meeting_weekday)
    day = on_or_after + dt.timedelta(days=(weekday - on_or_after.weekday()) % 7)
    hour, minute = (int(part) for part in rules.panel.meeting_time.split(":"))
    meeting, _ = PanelMeeting.objects.get_or_create(
        authority=authority, meets_on=day,
        defaults={"starts_at": dt.time(hour, minute), "location": rules.panel.meeting_place},
    )  # fmt: skip
    return meeting


def open_referral(plan: SupportPlan) -> PanelReferral | None:
    return plan.referrals.order_by("-referred_at", "-pk").first()


def invite_to_panel(actor: User | None, referral: PanelReferral, day: dt.date) -> list[PanelInvitation]:
    """The plan is on a meeting's agenda: record an invitation for the person and for each of their
    representatives acting on ``day``, with the meeting's date, time and place as sent. Already
    invited ones are kept as they are."""
    meeting = referral.meeting
    if meeting is None:
        return []
    person = referral.plan.person
    reps = person.representatives.filter(starts_on__lte=day).exclude(ends_on__lt=day).order_by("pk")
    made: list[PanelInvitation] = []
    for rep in [None, *reps]:
        invitation, created = PanelInvitation.objects.get_or_create(
            referral=referral, representative=rep,
            defaults={"authority": referral.authority, "person": person,
                      "invitee_name": rep.name if rep is not None else str(person),
                      "meets_on": meeting.meets_on, "meets_at": meeting.starts_at, "place": meeting.location},
        )  # fmt: skip
        if created:
            audit.record(
                actor=actor, authority=referral.authority, action=AuditAction.CREATE, obj=invitation,
                reason=f"Invited to the risk enablement panel on {meeting.meets_on:%-d %B %Y}",
                person_id=person.pk,
            )  # fmt: skip
            made.append(invitation)
    return made


def visible_invitations(user: User, plan: SupportPlan) -> QuerySet[PanelInvitation]:
    """The plan's panel invitations ``user`` may read (access.invitation_scope): workers, the panel
    and admins see them all; the person sees the one addressed to them, a representative the one
    addressed to them."""
    scope = access.invitation_scope(user, plan.authority_id)
    return scope.filter(referral__plan=plan).select_related("referral__meeting")


def mark_invitation_sent(
    actor: User, invitation: PanelInvitation, how: str, sent_on: dt.date, *, today: dt.date | None = None
) -> None:
    """The panel chair records how and when an invitation was sent."""
    if Role.PANEL not in actor.roles_in(invitation.authority_id):
        raise TransitionForbidden("Only panel members record how an invitation was sent")
    errors: dict[str, list[str]] = {}
    if how not in InvitationSent.values:
        errors["sent_how"] = ["Choose how the invitation was sent"]
    if sent_on > local_day(today):
        errors["sent_on"] = ["The date it was sent cannot be in the future"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        before = audit.snapshot(invitation, ["sent_how", "sent_on"])
        invitation.sent_how, invitation.sent_on, invitation.sent_by = how, sent_on, actor
        invitation.save(update_fields=["sent_how", "sent_on", "sent_by"])
        audit.record(
            actor=actor, authority=invitation.authority, action=AuditAction.CHANGE, obj=invitation,
            reason="Panel invitation sent", person_id=invitation.person_id,
            changes=audit.diff(before, audit.snapshot(invitation, ["sent_how", "sent_on"])),
        )  # fmt: skip


def waiting_appeal(plan: SupportPlan) -> Appeal | None:
    return plan.appeals.filter(outcome="").select_related("referral").order_by("-lodged_at", "-pk").first()


def record_attendance(actor: User, referral: PanelReferral, attendance: str, attendee_name: str) -> None:
    """Record whether the person (or someone for them) came to the panel."""
    if attendance not in Attendance.values:
        raise ServiceError({"attendance": ["Choose who came"]})
    if Role.PANEL not in actor.roles_in(referral.authority_id):
        raise TransitionForbidden("Only panel members record attendance")
    with transaction.atomic():
        before = audit.snapshot(referral, ["attendance", "attendee_name"])
        referral.attendance, referral.attendee_name = attendance, attendee_name.strip()
        referral.save(update_fields=["attendance", "attendee_name"])
        audit.record(
            actor=actor, authority=referral.authority, action=AuditAction.CHANGE, obj=referral,
            reason="Panel attendance recorded", changes=audit.diff(before, audit.snapshot(referral, ["attendance", "attendee_name"])),
            person_id=referral.plan.person_id,
        )  # fmt: skip


def save_minutes(actor: User, meeting: PanelMeeting, minutes: str) -> None:
    if Role.PANEL not in actor.roles_in(meeting.authority_id):
        raise TransitionForbidden("Only panel members write the minutes")
    with transaction.atomic():
        before = meeting.minutes
        meeting.minutes = minutes.strip()
        meeting.save(update_fields=["minutes"])
        audit.record(actor=actor, authority=meeting.authority, action=AuditAction.CHANGE, obj=meeting,
                     reason="Panel minutes written", changes=audit.diff({"minutes": before}, {"minutes": meeting.minutes}))  # fmt: skip
