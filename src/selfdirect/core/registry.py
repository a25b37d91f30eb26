"""Extension points, so each domain app adds to the home page and the navigation from its own
AppConfig.ready() without editing core's templates.

    from selfdirect.core import registry
    registry.nav("Plans", "plans:list", roles={Role.ASSESSOR, Role.PLANNER}, order=30)
    registry.home_section(my_section)   # (request) -> (template name, context) or None
    registry.person_section(about)      # (request, person) -> (template name, context) or None
    registry.demo(load_my_demo, order=40)  # (DemoOptions) -> None, run by manage.py load_demo
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from .http import AuthedRequest

HomeSection = Callable[[AuthedRequest], tuple[str, dict[str, Any]] | None]
PersonSection = Callable[[AuthedRequest, Any], tuple[str, dict[str, Any]] | None]


@dataclass(frozen=True)
class NavItem:
    text: str
    url_name: str
    roles: frozenset[str]
    order: int


_nav: list[NavItem] = []
_home: list[tuple[int, HomeSection]] = []
_person: list[tuple[int, PersonSection]] = []


def nav(text: str, url_name: str, *, roles: Iterable[str], order: int = 50) -> None:
    """Show a link in the service navigation to users holding any of ``roles``."""
    item = NavItem(text, url_name, frozenset(roles), order)
    if item not in _nav:
        _nav.append(item)


def nav_items(roles: frozenset[str]) -> list[NavItem]:
    return sorted((i for i in _nav if i.roles & roles), key=lambda i: (i.order, i.text))


def _add(slots: list[tuple[int, Any]], section: Any, order: int) -> None:
    if all(s is not section for _, s in slots):
        slots.append((order, section))


def _in_order(slots: list[tuple[int, Any]]) -> list[Any]:
    return [s for _, s in sorted(slots, key=lambda pair: pair[0])]


def home_section(section: HomeSection, *, order: int = 50) -> None:
    """Add a section to the home page; it returns None when it has nothing for this user."""
    _add(_home, section, order)


def home_sections() -> list[HomeSection]:
    return _in_order(_home)


@dataclass(frozen=True)
class PersonItem:
    """One thing about a person on their record: a link, a few words after it, overdue or not."""

    text: str
    url: str
    note: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class PersonLink:
    text: str
    url: str


def person_section_page(
    key: str, heading: str, items: Iterable[PersonItem], *, empty: str, links: Iterable[PersonLink] = ()
) -> tuple[str, dict[str, Any]]:
    """A person section in the shared layout (core/includes/person_section.html)."""
    return "core/includes/person_section.html", {
        "key": key, "heading": heading, "items": list(items), "empty": empty, "links": list(links),
    }  # fmt: skip


def person_section(section: PersonSection, *, order: int = 50) -> None:
    """Add a section to a person's record (what this app holds about them, as links); it returns
    None when the viewer may see nothing of it."""
    _add(_person, section, order)


def person_sections() -> list[PersonSection]:
    return _in_order(_person)


def render_sections(sections: Iterable[Callable[..., tuple[str, dict[str, Any]] | None]], request: Any,
                    *args: Any) -> list[str]:
    """Each section that has something for this viewer, rendered (the home page, a person's record)."""
    rendered: list[str] = []
    for section in sections:
        found = section(request, *args)
        if found is not None:
            template, extra = found
            rendered.append(render_to_string(template, extra, request=request))
    return rendered


@dataclass(frozen=True)
class DemoOptions:
    """What ``manage.py load_demo`` was asked for: the day the demo is loaded on (its year of
    history is the twelve months before) and how many people each demo authority has."""

    today: Any  # datetime.date
    people: int


DemoLoader = Callable[[DemoOptions], Any]
_demo: list[tuple[int, DemoLoader]] = []


def demo(loader: DemoLoader, *, order: int) -> None:
    """Add an app's demo loader; ``load_demo`` runs them by ``order`` (people first, then what
    depends on them). Each is safe to run twice."""
    if all(d is not loader for _, d in _demo):
        _demo.append((order, loader))


def demo_loaders() -> list[DemoLoader]:
    return [d for _, d in sorted(_demo, key=lambda pair: pair[0])]
