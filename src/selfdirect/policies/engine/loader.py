"""Load and validate a policy YAML file, reporting *every* problem with its file and line.

A commissioner fixing a policy should see the whole list at once, not one error per
attempt, so the loader validates each section separately (a broken stream does not hide
an unknown question in the eligibility rules), then checks cross-references on whatever
parsed, then reports everything together as a :class:`PolicyError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from selfdirect.core import policy_yaml
from selfdirect.core.policy_yaml import PolicyProblem

from .methods import method_for
from .money import CENTI, FP, fits_scale
from .schema import (
    STREAM_IDS,
    Adjustment,
    Condition,
    Derived,
    Domain,
    Eligibility,
    PointsDerived,
    PolicyModel,
    Question,
    Questionnaire,
    Rate,
    RateByAnswer,
    RateRef,
    Stream,
    SumDerived,
)

Path_ = tuple[str | int, ...]


class PolicyError(Exception):
    """Raised with the complete list of problems found in a policy."""

    def __init__(self, errors: list[PolicyProblem]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class Policy:
    """A validated, frozen policy version plus indexes the engine needs.

    ``content_hash`` is a SHA-256 of the canonical JSON of the validated policy (comments
    and formatting do not change it), so a published version can be frozen and every
    allocation can say exactly which rules produced it.
    """

    model: PolicyModel
    file: str
    content_hash: str
    questions: Mapping[str, Question] = field(repr=False)
    question_domain: Mapping[str, str] = field(repr=False)
    domains: Mapping[str, Domain] = field(repr=False)

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def authority(self) -> str:
        return self.model.authority

    @property
    def effective_from(self) -> dt.date:
        return self.model.effective_from

    @property
    def version_id(self) -> str:
        """Human-readable and unambiguous: ``northshire-2026@3fa2b1c09d4e``."""
        return f"{self.model.id}@{self.content_hash[:12]}"

    def in_force_on(self, on: dt.date) -> bool:
        m = self.model
        return m.effective_from <= on and (m.effective_to is None or on <= m.effective_to)

    @cached_property
    def trigger_ids(self) -> frozenset[str]:
        return frozenset(q.id for d in self.model.questionnaire.domains for q in d.triggers)

    def rate_amount(self, rate_id: str) -> Decimal:
        return self.model.rates[rate_id].amount


# --------------------------------------------------------------------------- YAML reading


def read_yaml(text: str, filename: str) -> tuple[Any, list[PolicyProblem]]:
    """Parse YAML keeping line numbers, through the checks every policy file passes
    (:mod:`selfdirect.core.policy_yaml`: size, UTF-8, no anchors or aliases, depth, real dates)."""
    try:
        return policy_yaml.load(text, filename), []
    except policy_yaml.PolicyYamlError as exc:
        return None, exc.problems


class _Locator:
    """Maps a path in the policy to a line in the YAML file."""

    def __init__(self, tree: Any, filename: str):
        self.tree = tree
        self.filename = filename

    def resolve(self, loc: Sequence[str | int]) -> tuple[str, int]:
        """Walk ``loc`` through the tree; unknown steps (pydantic union tags) are skipped.

        A missing final step (a required field that is absent) stays in the path and takes
        the line of its parent.
        """
        node = self.tree
        line = 1
        parts: list[str] = []
        for i, step in enumerate(loc):
            if isinstance(node, CommentedMap) and step in node:
                ln = node.lc.key(step)
                line = ln[0] + 1 if ln else line
                parts.append(str(step))
                node = node[step]
            elif isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node):
                ln = node.lc.item(step)
                line = ln[0] + 1 if ln else line
                parts.append(str(step))
                node = node[step]
            elif i == len(loc) - 1 and isinstance(step, str) and isinstance(node, CommentedMap):
                parts.append(step)
            else:
                continue
        return ".".join(parts), line

    def problem(self, loc: Sequence[str | int], message: str) -> PolicyProblem:
        path, line = self.resolve(loc)
        return PolicyProblem(self.filename, line, path, message)


# --------------------------------------------------------------------------- section validation


def _validate(
    adapter: TypeAdapter[Any], data: Any, base: Path_, where: _Locator, problems: list[PolicyProblem]
) -> Any:
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        seen: set[tuple[str, str]] = set()
        for err in exc.errors():
            loc = base + tuple(err["loc"])
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            p = where.problem(loc, msg)
            if (p.path, msg) not in seen:
                seen.add((p.path, msg))
                problems.append(p)
        return None


_HEADER_FIELDS = (
    "authority",
    "id",
    "title",
    "effective_from",
    "effective_to",
    "description",
    "weeks_per_year",
)


def _names_a_file(source: str) -> bool:
    """A one-line string short enough to be a path, naming a file that exists. (A long one-line
    policy, such as deeply nested flow YAML, is text: asking the file system about it would fail.)"""
    if "\n" in source or len(source) > 1024:
        return False
    try:
        return Path(source).is_file()
    except (OSError, ValueError):
        return False


def load_policy(source: str | Path, filename: str | None = None) -> Policy:
    """Load, validate and freeze one policy version.

    ``source`` is a :class:`~pathlib.Path` (or a path string of an existing file) or the YAML
    text itself; ``filename`` names it in error messages. Raises :class:`PolicyError`
    listing every problem found.
    """
    if isinstance(source, Path) or _names_a_file(source):
        path = Path(source)
        filename = filename or str(path)
        try:
            text = policy_yaml.read_file(path, filename)
        except policy_yaml.PolicyYamlError as exc:
            raise PolicyError(exc.problems) from None
    else:
        text = str(source)
        filename = filename or "<policy>"
    tree, problems = read_yaml(text, filename)
    if problems:
        raise PolicyError(problems)
    where = _Locator(tree, filename)
    if not isinstance(tree, CommentedMap):
        raise PolicyError([PolicyProblem(filename, 1, "", "a policy must be a YAML mapping")])
    data = policy_yaml.to_plain(tree)

    # Validate each part on its own so that one broken part does not hide the others.
    known = set(_HEADER_FIELDS) | {"questionnaire", "derived", "rates", "eligibility", "streams"}
    for key in data:
        if key not in known:
            problems.append(where.problem((key,), "unknown key"))
    for key in (
        "authority",
        "id",
        "title",
        "effective_from",
        "questionnaire",
        "rates",
        "eligibility",
        "streams",
    ):
        if key not in data:
            problems.append(where.problem((key,), "Field required"))

    for key, typ in (
        ("authority", str),
        ("id", str),
        ("title", str),
        ("effective_from", dt.date),
        ("effective_to", dt.date | None),
        ("description", str),
        ("weeks_per_year", int),
    ):
        if key in data:
            adapter: TypeAdapter[Any] = TypeAdapter(typ)  # type: ignore[arg-type]
            _validate(adapter, data[key], (key,), where, problems)

    questionnaire = None
    if "questionnaire" in data:
        questionnaire = _validate(
            TypeAdapter(Questionnaire), data["questionnaire"], ("questionnaire",), where, problems
        )
    derived: dict[str, Any] = {}
    for name, body in _items(data.get("derived"), ("derived",), where, problems):
        v = _validate(TypeAdapter(Derived), body, ("derived", name), where, problems)
        if v is not None:
            derived[name] = v
    rates: dict[str, Rate] = {}
    for name, body in _items(data.get("rates"), ("rates",), where, problems):
        v = _validate(TypeAdapter(Rate), body, ("rates", name), where, problems)
        if v is not None:
            rates[name] = v
    eligibility = None
    if "eligibility" in data:
        eligibility = _validate(
            TypeAdapter(Eligibility), data["eligibility"], ("eligibility",), where, problems
        )
    streams: dict[str, Stream] = {}
    for name, body in _items(data.get("streams"), ("streams",), where, problems):
        if name not in STREAM_IDS:
            problems.append(
                where.problem(
                    ("streams", name), f"unknown funding stream {name!r}; use one of {', '.join(STREAM_IDS)}"
                )
            )
        v = _validate(TypeAdapter(Stream), body, ("streams", name), where, problems)
        if v is not None:
            streams[name] = v

    checker = _Checker(
        where,
        problems,
        questionnaire,
        derived,
        rates,
        eligibility,
        streams,
        data.get("weeks_per_year", 52),
        data,
    )
    checker.run()

    if problems:
        raise PolicyError(sorted(problems, key=lambda p: (p.line, p.path)))
    model = PolicyModel.model_validate(data)
    return freeze_policy(model, filename)


def _items(
    section: Any, base: Path_, where: _Locator, problems: list[PolicyProblem]
) -> Iterator[tuple[str, Any]]:
    if section is None:
        return
    if not isinstance(section, dict):
        problems.append(where.problem(base, "must be a mapping of name: definition"))
        return
    yield from section.items()


def freeze_policy(model: PolicyModel, filename: str) -> Policy:
    canonical = json.dumps(
        model.model_dump(mode="json", by_alias=True, exclude_none=True), sort_keys=True, separators=(",", ":")
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    questions: dict[str, Question] = {}
    qdomain: dict[str, str] = {}
    domains: dict[str, Domain] = {}
    for d in model.questionnaire.domains:
        domains[d.id] = d
        for q in [*d.triggers, *d.questions]:
            questions[q.id] = q
            qdomain[q.id] = d.id
    return Policy(model, filename, digest, questions, qdomain, domains)


def policy_hash(policy: Policy) -> str:
    """The stable content hash of a policy (see :class:`Policy`)."""
    return policy.content_hash


# --------------------------------------------------------------------------- cross-reference checks


class _Checker:
    """Checks the references between sections; every finding is appended, none raised."""

    def __init__(
        self,
        where: _Locator,
        problems: list[PolicyProblem],
        questionnaire: Questionnaire | None,
        derived: dict[str, Any],
        rates: dict[str, Rate],
        eligibility: Eligibility | None,
        streams: dict[str, Stream],
        weeks_per_year: Any,
        data: dict[str, Any],
    ):
        self.where = where
        self.problems = problems
        self.qn = questionnaire
        self.derived = derived
        self.rates = rates
        self.elig = eligibility
        self.streams = streams
        self.weeks = weeks_per_year if isinstance(weeks_per_year, int) else 52
        self.data = data
        self.questions: dict[str, Question] = {}
        self.domains: set[str] = set()
        # names present in the file even if their body failed to parse: no "unknown" noise for them
        self.derived_names = set((data.get("derived") or {}) if isinstance(data.get("derived"), dict) else {})
        self.rate_names = set((data.get("rates") or {}) if isinstance(data.get("rates"), dict) else {})
        self.stream_names = set((data.get("streams") or {}) if isinstance(data.get("streams"), dict) else {})

    def add(self, loc: Sequence[str | int], message: str) -> None:
        self.problems.append(self.where.problem(loc, message))

    def run(self) -> None:
        self.check_questionnaire()
        if self.qn is None:
            return  # every other check refers to questions: avoid a cascade of false "unknown" errors
        self.check_derived()
        self.check_rates()
        self.check_eligibility()
        self.check_streams()
        self.check_cycles()
        self.salvage_conditions()

    def salvage_conditions(self) -> None:
        """Check the conditions inside sections whose shape failed, so their errors are not hidden."""
        failed: list[tuple[Path_, Any]] = []
        if self.elig is None and isinstance(self.data.get("eligibility"), dict):
            failed.append((("eligibility",), self.data["eligibility"]))
        for name, body in (
            (self.data.get("streams") or {}).items() if isinstance(self.data.get("streams"), dict) else []
        ):
            if name not in self.streams:
                failed.append((("streams", name), body))

        def walk(node: Any, loc: Path_) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    if k == "when" and isinstance(v, dict):
                        try:
                            cond = Condition.model_validate(v)
                        except ValidationError:
                            continue
                        self.condition(cond, loc + (k,))
                    else:
                        walk(v, loc + (k,))
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, loc + (i,))

        for loc, body in failed:
            walk(body, loc)

    # ---- questionnaire
    def check_questionnaire(self) -> None:
        if self.qn is None:
            return
        seen_domains: set[str] = set()
        for di, d in enumerate(self.qn.domains):
            base: Path_ = ("questionnaire", "domains", di)
            if d.id in seen_domains:
                self.add(base + ("id",), f"domain {d.id!r} is defined twice")
            seen_domains.add(d.id)
            for kind in ("triggers", "questions"):
                for qi, q in enumerate(getattr(d, kind)):
                    qloc = base + (kind, qi)
                    if q.id in self.questions:
                        self.add(qloc + ("id",), f"question {q.id!r} is defined twice")
                    self.questions[q.id] = q
                    if kind == "triggers" and q.type != "yes_no":
                        self.add(qloc + ("type",), "a trigger question must be yes_no")
                    self.check_question(q, qloc)
        self.domains = seen_domains

    def check_question(self, q: Question, loc: Path_) -> None:
        if q.type in ("single_choice", "multiple_choice"):
            if not q.options:
                self.add(loc + ("options",), f"a {q.type} question needs options")
            values = [o.value for o in q.options]
            for oi, o in enumerate(q.options):
                if values.count(o.value) > 1 and values.index(o.value) != oi:
                    self.add(loc + ("options", oi, "value"), f"option {o.value!r} is listed twice")
                self.check_points(o.points, loc + ("options", oi, "points"))
        elif q.options:
            self.add(loc + ("options",), f"a {q.type} question cannot have options")
        self.check_points(q.points_yes, loc + ("points_yes",))
        if q.type == "number" and q.min is not None and q.max is not None and q.min > q.max:
            self.add(loc + ("min",), f"min {q.min} is more than max {q.max}")

    def check_points(self, value: Decimal, loc: Path_) -> None:
        if value < 0:
            self.add(loc, "must not be negative")
        elif not fits_scale(value, CENTI):
            self.add(loc, "points may have at most 2 decimal places")

    # ---- references
    def question(self, qid: str, loc: Path_, types: Iterable[str] | None = None) -> Question | None:
        q = self.questions.get(qid)
        if q is None:
            self.add(loc, f"unknown question {qid!r}")
            return None
        allowed = tuple(types or ())
        if allowed and q.type not in allowed:
            self.add(loc, f"question {qid!r} is {q.type}; expected {' or '.join(allowed)}")
        return q

    def option(self, q: Question, value: Any, loc: Path_) -> None:
        if q.type == "yes_no" and value not in (True, False, "yes", "no"):
            self.add(loc, f"question {q.id!r} is yes_no; {value!r} is not yes or no")
        elif q.type in ("single_choice", "multiple_choice") and str(value) not in {
            o.value for o in q.options
        }:
            self.add(loc, f"{value!r} is not an option of question {q.id!r}")

    def rate(self, ref: RateRef, loc: Path_, units: tuple[str, ...]) -> None:
        if isinstance(ref, RateByAnswer):
            q = self.question(ref.question, loc + ("question",), ("single_choice",))
            for opt, rid in ref.rates.items():
                if q is not None:
                    self.option(q, opt, loc + ("rates", opt))
                self.rate(rid, loc + ("rates", opt), units)
            if ref.default is not None:
                self.rate(ref.default, loc + ("default",), units)
            elif q is not None and q.type == "single_choice":
                for o in q.options:
                    if o.value not in ref.rates:
                        self.add(
                            loc + ("rates",),
                            f"missing rate for answer {o.value!r} of {q.id!r} (add it, or give a default)",
                        )
            return
        r = self.rates.get(ref)
        if r is None:
            if ref not in self.rate_names:
                self.add(loc, f"missing rate: {ref!r} is not defined under rates")
            return
        if r.unit not in units:
            self.add(loc, f"rate {ref!r} is per {r.unit}; this needs a rate per {' or '.join(units)}")

    def condition(self, c: Condition | None, loc: Path_) -> None:
        if c is None:
            return
        if c.answer is not None:
            q = self.question(c.answer, loc + ("answer",))
            if q is None:
                return
            if c.is_ is not None:
                self.option(q, c.is_, loc + ("is",))
            for i, v in enumerate(c.in_ or []):
                self.option(q, v, loc + ("in", i))
            if c.includes is not None:
                if q.type != "multiple_choice":
                    self.add(
                        loc + ("includes",),
                        f"includes needs a multiple_choice question; {q.id!r} is {q.type}",
                    )
                else:
                    self.option(q, c.includes, loc + ("includes",))
            if (c.at_least is not None or c.at_most is not None) and q.type != "number":
                self.add(loc + ("answer",), f"at_least/at_most need a number question; {q.id!r} is {q.type}")
        if c.derived is not None:
            self.derived_ref(c.derived, loc + ("derived",))
        if c.domain_open is not None and c.domain_open not in self.domains:
            self.add(loc + ("domain_open",), f"unknown domain {c.domain_open!r}")
        for key, subs in (("any", c.any_), ("all", c.all_)):
            for i, s in enumerate(subs or []):
                self.condition(s, loc + (key, i))
        self.condition(c.not_, loc + ("not",))

    def derived_ref(self, name: str, loc: Path_) -> None:
        if name not in self.derived and name not in self.derived_names:
            self.add(loc, f"unknown derived value {name!r}")

    # ---- sections
    def check_derived(self) -> None:
        for name, d in self.derived.items():
            loc: Path_ = ("derived", name)
            if isinstance(d, PointsDerived):
                for dom, w in d.domains.items():
                    if dom not in self.domains:
                        self.add(loc + ("domains", dom), f"unknown domain {dom!r}")
                    self.check_points(w.weight, loc + ("domains", dom, "weight"))
                    if w.cap is not None:
                        self.check_points(w.cap, loc + ("domains", dom, "cap"))
            else:
                for i, other in enumerate(d.of):
                    self.derived_ref(other, loc + ("of", i))
            if d.cap is not None:
                self.check_points(d.cap, loc + ("cap",))

    def check_rates(self) -> None:
        for name, r in self.rates.items():
            if r.amount < 0:
                self.add(("rates", name, "amount"), "must not be negative")
            elif not fits_scale(r.amount, FP):
                self.add(("rates", name, "amount"), "a rate may have at most 4 decimal places of a penny")

    def check_eligibility(self) -> None:
        e = self.elig
        if e is None:
            return
        base: Path_ = ("eligibility",)
        if not e.funded_bands:
            self.add(base + ("funded_bands",), "name at least one funded band")
        for i, rule in enumerate(e.rules):
            self.condition(rule.when, base + ("rules", i, "when"))
        if not e.below_threshold:
            self.add(base + ("below_threshold",), "give at least one route so nobody falls through the net")
        for i, r in enumerate(e.below_threshold):
            loc = base + ("below_threshold", i)
            self.condition(r.when, loc + ("when",))
            if r.route == "housing_support_only" and not r.streams:
                self.add(loc + ("streams",), "a housing-support-only route must name its streams")
            for j, s in enumerate(r.streams):
                if s not in self.stream_names:
                    self.add(loc + ("streams", j), f"stream {s!r} is not defined under streams")
        if e.below_threshold and e.below_threshold[-1].when is not None:
            self.add(
                base + ("below_threshold", len(e.below_threshold) - 1, "when"),
                "the last route must have no condition, so that nobody falls through the net",
            )

    def check_streams(self) -> None:
        for name, s in self.streams.items():
            base: Path_ = ("streams", name)
            self.condition(s.when, base + ("when",))
            if not s.methods:
                self.add(base + ("methods",), "a stream needs at least one method")
            for i, choice in enumerate(s.methods):
                loc = base + ("methods", i)
                self.condition(choice.when, loc + ("when",))
                method_for(choice.method).check(self, choice.method, loc + ("method",), name)
            for i, adj in enumerate(s.adjustments):
                self.check_adjustment(adj, base + ("adjustments", i))
            for key in ("minimum", "maximum"):
                v = getattr(s, key)
                if v is not None and v < 0:
                    self.add(base + (key,), "must not be negative")
            if s.minimum is not None and s.maximum is not None and s.minimum > s.maximum:
                self.add(base + ("minimum",), "minimum is more than maximum")

    def check_adjustment(self, adj: Adjustment, loc: Path_) -> None:
        self.condition(adj.when, loc + ("when",))
        if adj.percent is not None:
            if adj.percent < -100:
                self.add(loc + ("percent",), "cannot reduce by more than 100%")
            if not fits_scale(adj.percent, CENTI):
                self.add(loc + ("percent",), "at most 2 decimal places")
        if adj.hours_question is not None:
            self.question(adj.hours_question, loc + ("hours_question",), ("number",))
        if adj.hours_per_week is not None:
            self.hours(adj.hours_per_week, loc + ("hours_per_week",))
        if adj.rate is not None:
            self.rate(adj.rate, loc + ("rate",), ("hour",))

    def hours(self, value: Decimal, loc: Path_) -> None:
        if value < 0:
            self.add(loc, "must not be negative")
        elif not fits_scale(value, CENTI):
            self.add(loc, "hours may have at most 2 decimal places")

    def check_cycles(self) -> None:
        """Derived values and streams may refer to each other; a cycle would never finish."""
        graph: dict[str, list[tuple[str, Path_]]] = {}
        for name, d in self.derived.items():
            deps = d.of if isinstance(d, SumDerived) else []
            graph[f"derived {name}"] = [
                (f"derived {x}", ("derived", name, "of", i)) for i, x in enumerate(deps)
            ]
        for name, s in self.streams.items():
            edges: list[tuple[str, Path_]] = []
            for i, ch in enumerate(s.methods):
                for fld, other in method_for(ch.method).streams_used(ch.method).items():
                    if other != name:
                        edges.append((f"stream {other}", ("streams", name, "methods", i, "method", fld)))
            graph[f"stream {name}"] = edges
        reported: set[frozenset[str]] = set()
        state: dict[str, int] = {}
        stack: list[str] = []

        def visit(node: str) -> None:
            state[node] = 1
            stack.append(node)
            for nxt, loc in graph.get(node, []):
                if state.get(nxt) == 1:
                    cycle = stack[stack.index(nxt) :] + [nxt]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        self.add(loc, "circular reference: " + " -> ".join(cycle))
                elif state.get(nxt) is None and nxt in graph:
                    visit(nxt)
            stack.pop()
            state[node] = 2

        for node in graph:
            if state.get(node) is None:
                visit(node)


# --------------------------------------------------------------------------- versions


@dataclass(frozen=True)
class PolicySet:
    """All dated versions of one authority's policy; picks the one in force on a date."""

    versions: tuple[Policy, ...]

    def for_date(self, on: dt.date) -> Policy:
        """The latest version whose ``effective_from`` is on or before ``on``."""
        candidates = [p for p in self.versions if p.in_force_on(on)]
        if not candidates:
            raise LookupError(f"no policy version in force on {on.isoformat()}")
        return max(candidates, key=lambda p: p.effective_from)

    def by_id(self, policy_id: str) -> Policy:
        for p in self.versions:
            if p.id == policy_id:
                return p
        raise LookupError(f"no policy version with id {policy_id!r}")


def load_policy_dir(directory: str | Path) -> PolicySet:
    """Load every ``policy-*.yaml`` directly in an authority's folder; all files' errors together.

    Only ``policy-*`` files are RAS versions: other apps keep their own policy files (ledger,
    plans, outcomes) in the same folder.
    """
    problems: list[PolicyProblem] = []
    versions: list[Policy] = []
    for path in sorted(Path(directory).glob("policy-*.yaml")):
        try:
            versions.append(load_policy(path))
        except PolicyError as exc:
            problems.extend(exc.errors)
    if problems:
        raise PolicyError(problems)
    return PolicySet(tuple(sorted(versions, key=lambda p: p.effective_from)))
