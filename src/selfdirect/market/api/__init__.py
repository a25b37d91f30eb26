"""The market API: providers, services and rates, quality, PAs, brokers, lists, contracts and usage,
employer duties and the move from a block contract to a personal budget. Money is integer pence.
Handlers find records in the caller's authority and scope (404), check the permission (403) and
call the same services as the web pages. The directory endpoint needs no authentication.

One module per part of the market, each with its own router; ``router`` joins them in the order
the endpoints have always been listed. The modules share only ``schemas`` and ``common``.
"""

from ninja import Router

from . import council, people, providers, public, purchasing, register

router = Router(tags=["market"])

for _part in (public, council, providers, register, purchasing, people):
    # The operation ids the document has always given (selfdirect_market_api_<handler>), from when
    # the API was one module: clients generated from the document name their methods after them.
    for _path in _part.router.path_operations.values():
        for _operation in _path.operations:
            _operation.operation_id = f"selfdirect_market_api_{_operation.view_func.__name__}"
    router.add_router("", _part.router)

__all__ = ["router"]
