"""The pages of an authority's rules (core/rules.py): each kind's version in force, drafts and
history; upload (every problem listed at once, by line); a version with its lines, and publishing
it; two versions side by side."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from . import access, policy_yaml, rules
from .dates import format_date
from .forms import GovukForm, ReasonMixin
from .http import AuthedRequest
from .models import RulesVersion


class RulesUploadForm(GovukForm):
    file = forms.FileField(
        label="Upload the rules (YAML)", help_text="The file as the guide describes it; every problem is listed by line",
        widget=forms.FileInput(attrs={"accept": ".yaml,.yml,text/yaml"}),
    )  # fmt: skip


def _kind(request: AuthedRequest, key: str, *, manage: bool = False) -> rules.Kind:
    try:
        kind = rules.kind(key)
    except KeyError:
        raise Http404("no such kind of rules") from None
    allowed = kind.managed_by if manage else kind.read_by | kind.managed_by
    if request.authority is None or not allowed & request.roles:
        raise PermissionDenied("rules")
    return kind


def _versions(request: AuthedRequest) -> Any:
    return access.scoped(RulesVersion, request.user, request.authority)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    shown = [k for k in rules.kinds() if (k.read_by | k.managed_by) & request.roles]
    if request.authority is None or not shown:
        raise PermissionDenied("rules")
    sections = []
    for kind in shown:
        rules.rules_text(request.authority, kind.key)  # a demo authority's starting rules, on first look
        versions = list(_versions(request).filter(kind=kind.key).select_related("published_by", "uploaded_by"))
        sections.append({"kind": kind, "in_force": rules.in_force_now(request.authority, kind.key),
                         "versions": versions, "can_manage": bool(kind.managed_by & request.roles)})  # fmt: skip
    return render(request, "core/rules/home.html", {"sections": sections})


@login_required
def upload(request: AuthedRequest, key: str) -> HttpResponse:
    kind = _kind(request, key, manage=True)
    form = RulesUploadForm(request.POST or None, request.FILES or None)
    problems: list[policy_yaml.PolicyProblem] = []
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        name = upload_file.name or kind.filename
        try:
            if upload_file.size is not None and upload_file.size > policy_yaml.MAX_BYTES:
                raise policy_yaml.too_big(name)
            text = policy_yaml.decode(upload_file.read(), name)
            version = rules.upload(request.user, request.authority, kind.key, text, name)  # type: ignore[arg-type]
        except policy_yaml.PolicyYamlError as exc:
            problems = exc.problems
        except rules.RulesRefused as exc:
            problems = exc.problems
        else:
            messages.success(request, f"{version.title} is uploaded as a draft: check it, then publish it")
            return redirect("rules-version", pk=version.pk)
    return render(request, "core/rules/upload.html", {"form": form, "kind": kind, "problems": problems},
                  status=400 if problems or form.errors else 200)  # fmt: skip


@login_required
def version(request: AuthedRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(_versions(request), pk=pk)
    kind = _kind(request, found.kind)
    can_publish = found.status == RulesVersion.Status.DRAFT and bool(kind.managed_by & request.roles)
    form = ReasonMixin(request.POST or None)
    problems: list[policy_yaml.PolicyProblem] = []
    if request.method == "POST":
        if not can_publish:
            raise PermissionDenied("publish")
        if form.is_valid():
            try:
                rules.publish(request.user, found, form.cleaned_data["reason"])
            except rules.RulesRefused as exc:
                problems = exc.problems
            else:
                messages.success(request, f"{found.title} is published: it is in force from "
                                          f"{format_date(found.effective_from)}")  # fmt: skip
                return redirect("rules-version", pk=found.pk)
    in_force = rules.in_force_now(request.authority, found.kind)  # type: ignore[arg-type]
    return render(request, "core/rules/version.html", {
        "version": found, "kind": kind, "lines": list(enumerate(found.yaml_text.splitlines(), 1)),
        "can_publish": can_publish, "form": form, "problems": problems,
        "in_force": in_force if in_force and in_force.pk != found.pk else None,
    }, status=400 if problems or form.errors else 200)  # fmt: skip


@login_required
def compare(request: AuthedRequest, pk: int, other: int) -> HttpResponse:
    older = get_object_or_404(_versions(request), pk=other)
    newer = get_object_or_404(_versions(request), pk=pk)
    if older.kind != newer.kind:
        raise Http404("two kinds of rules")
    _kind(request, newer.kind)
    rows = rules.compare(older.yaml_text, newer.yaml_text)
    return render(request, "core/rules/compare.html", {
        "older": older, "newer": newer, "rows": rows, "changed": sum(r.change != "same" for r in rows),
    })  # fmt: skip
