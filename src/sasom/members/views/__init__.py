from .members import (  # noqa: F401
    member_anonymize_view,
    member_card_add,
    member_card_replace,
    member_change_code,
    member_change_type,
    member_consent,
    member_create,
    member_detail,
    member_edit,
    member_list,
    member_renew,
    member_status,
)
from .privacy import member_export_view, retention_view  # noqa: F401
from .tools import export_view, import_errors, import_template, import_view, lifecycle_view  # noqa: F401
from .types import (  # noqa: F401
    custom_field_delete,
    custom_field_edit,
    member_type_delete,
    member_type_edit,
    member_type_list,
)
