"""Every number a back-office form takes has bounds, so that no number typed (40 digits, say)
reaches the database as one it cannot store (a 500 on SQLite and PostgreSQL alike).

Forms inherit :class:`BoundedForm` or :class:`BoundedModelForm`. A number field without its own
bounds gets the defaults below, when the form is made and again before it is cleaned (so fields
added in a subclass's ``__init__`` are bounded too); a field's own, narrower bounds stay. A test
walks every form class of the project and checks it inherits one of the two.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.db import models

# Points, quantities, counts, orders: what the narrowest integer column holds (PostgreSQL's
# ``integer``), far beyond any shop's real figure. Decimals: 10 digits (under a hundred million
# with 2 places), within the amount columns; a narrower column's field says so itself.
INTEGER_LIMIT = 2**31 - 1
DECIMAL_DIGITS = 10
DECIMAL_LIMIT = Decimal("99999999.99")


def _bound(field: forms.Field, low: Any, high: Any) -> None:
    if getattr(field, "min_value", None) is None:
        field.min_value = low  # type: ignore[attr-defined]  # number fields have it
        field.validators.append(MinValueValidator(low))
        field.widget.attrs.setdefault("min", str(low))
    if getattr(field, "max_value", None) is None:
        field.max_value = high  # type: ignore[attr-defined]  # number fields have it
        field.validators.append(MaxValueValidator(high))
        field.widget.attrs.setdefault("max", str(high))


def numbers_bounded(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if getattr(field, "_sasom_bounded", False):
            continue
        if isinstance(field, forms.DecimalField):
            if field.max_digits is None:
                field.max_digits = DECIMAL_DIGITS
                field.validators.append(DecimalValidator(DECIMAL_DIGITS, field.decimal_places))
            _bound(field, -DECIMAL_LIMIT, DECIMAL_LIMIT)
        elif isinstance(field, forms.FloatField):
            _bound(field, -float(DECIMAL_LIMIT), float(DECIMAL_LIMIT))
        elif isinstance(field, forms.IntegerField):
            _bound(field, -INTEGER_LIMIT, INTEGER_LIMIT)
        else:
            continue
        field._sasom_bounded = True  # type: ignore[attr-defined]  # a marker on the instance


class BoundedForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        numbers_bounded(self)

    def full_clean(self) -> None:
        numbers_bounded(self)
        super().full_clean()


M = TypeVar("M", bound=models.Model)


class BoundedModelForm(forms.ModelForm[M]):
    """A model's number field bounds its form field as the column does (Django's range of the
    database's integer column), before the defaults apply."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if not isinstance(field, forms.IntegerField):  # DecimalField is one too
                continue
            try:
                column = self._meta.model._meta.get_field(name)
            except Exception:  # a form field with no column of that name
                continue
            checks = column.validators if isinstance(column, models.Field) else []
            lows = [v.limit_value for v in checks if isinstance(v, MinValueValidator)]
            highs = [v.limit_value for v in checks if isinstance(v, MaxValueValidator)]
            if lows and highs and not isinstance(field, forms.DecimalField):
                _bound(field, max(lows), min(highs))
        numbers_bounded(self)

    def full_clean(self) -> None:
        numbers_bounded(self)
        super().full_clean()
