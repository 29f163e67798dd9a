from .bulk import product_bulk
from .products import product_create, product_detail, product_list
from .setup import brand_edit, brand_list, category_edit, category_list
from .transfer import export_view, import_problems, import_template, import_view

__all__ = [
    "brand_edit", "brand_list", "category_edit", "category_list", "export_view", "import_problems", "import_template", "import_view",
    "product_bulk", "product_create", "product_detail", "product_list",
]
