"""Market services: each change is validated, saved and audited in one transaction, so nothing is
half-saved. Views, the API and the CLI are thin callers of these functions.

One module per sub-domain; this package re-exports their public names, so callers import
``selfdirect.market.services`` and need not know which module does what. The modules import one
another one way only: ``common`` (settings, areas and the audited save) at the bottom; ``importing``
uses ``providers``.
"""

from selfdirect.core.errors import ImportRefused, RowProblem, ServiceError

from .common import add_area, save_settings, settings_for
from .contracts import (
    EXTRA_CARE_ADVISED_YEARS,
    Effect,
    contract_effect,
    contract_warnings,
    record_usage,
    save_contract,
)
from .importing import (
    IMPORT_COLUMNS,
    IMPORT_REQUIRED,
    MAX_IMPORT_BYTES,
    RATE_COLUMNS,
    ImportPreview,
    check_providers_import,
    import_providers,
    parse_import_row,
    read_import_file,
    summarised_import,
)
from .lists import add_list_entry, preferred_services, save_list
from .people import save_arrangement, save_employment, transfer_to_budget, update_duty
from .providers import link_provider_user, save_provider, save_rate_table, save_service
from .quality import add_quality_assessment, add_rating, add_spot_check
from .register import add_pa_check, save_broker, save_pa

__all__ = [
    "EXTRA_CARE_ADVISED_YEARS",
    "IMPORT_COLUMNS",
    "IMPORT_REQUIRED",
    "MAX_IMPORT_BYTES",
    "RATE_COLUMNS",
    "Effect",
    "ImportPreview",
    "ImportRefused",
    "RowProblem",
    "ServiceError",
    "add_area",
    "add_list_entry",
    "add_pa_check",
    "add_quality_assessment",
    "add_rating",
    "add_spot_check",
    "check_providers_import",
    "contract_effect",
    "contract_warnings",
    "import_providers",
    "link_provider_user",
    "parse_import_row",
    "preferred_services",
    "read_import_file",
    "record_usage",
    "save_arrangement",
    "save_broker",
    "save_contract",
    "save_employment",
    "save_list",
    "save_pa",
    "save_provider",
    "save_rate_table",
    "save_service",
    "save_settings",
    "settings_for",
    "summarised_import",
    "transfer_to_budget",
    "update_duty",
]
