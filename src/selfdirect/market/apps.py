from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "selfdirect.market"
    label = "market"
    verbose_name = "Providers, personal assistants, brokers and contracts"

    def ready(self) -> None:
        from selfdirect.core import registry
        from selfdirect.core.constants import Role

        from . import access, home  # access also registers the market's scopes (core/access.py)

        registry.nav("Market", "market:home", roles=access.VIEW_ROLES | {Role.PROVIDER}, order=60)
        registry.home_section(home.section, order=60)

        from .demo import load_market_demo

        registry.demo(lambda chosen: load_market_demo(today=chosen.today), order=30)
