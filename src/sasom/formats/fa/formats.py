"""Persian: figures grouped by thousands as in Thai and English (``1,250`` points, not ``1250``);
Django's Persian formats give the separators but no grouping. The rest is Django's."""

NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = ","
DECIMAL_SEPARATOR = "."
