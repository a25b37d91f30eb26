"""Extension points, so each domain app adds to the home page and the navigation from its own
AppConfig.ready() without editing core's templates.

    from selfdirect.core import registry
    registry.nav("Plans", "plans:list", roles={Role.ASSESSOR, Role.PLANNER}, order=30)
    registry.home_section(my_section)   # (request) -> (template name, context) or None
    registry.demo(load_my_demo, order=40)  # (DemoOptions) -> None, run by manage.py load_demo
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .http import AuthedRequest

HomeSection = Callable[[AuthedRequest], tuple[str, dict[str, Any]] | None]


@dataclass(frozen=True)
class NavItem:
    text: str
    url_name: str
    roles: frozenset[str]
    order: int


_nav: list[NavItem] = []
_home: list[tuple[int, HomeSection]] = []


def nav(text: str, url_name: str, *, roles: Iterable[str], order: int = 50) -> None:
    """Show a link in the service navigation to users holding any of ``roles``."""
    item = NavItem(text, url_name, frozenset(roles), order)
    if item not in _nav:
        _nav.append(item)


def nav_items(roles: frozenset[str]) -> list[NavItem]:
    return sorted((i for i in _nav if i.roles & roles), key=lambda i: (i.order, i.text))


def home_section(section: HomeSection, *, order: int = 50) -> None:
    """Add a section to the home page; it returns None when it has nothing for this user."""
    if all(s is not section for _, s in _home):
        _home.append((order, section))


def home_sections() -> list[HomeSection]:
    return [s for _, s in sorted(_home, key=lambda pair: pair[0])]


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
