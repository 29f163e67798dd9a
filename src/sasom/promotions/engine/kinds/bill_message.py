"""2f, 3i, 4f: a message printed on the bill when a mix is complete, N of a group are bought or a
group's value is reached. The reward is the promotion's ``message``: the rule gives no discount
and consumes no unit (it never keeps another promotion from a unit). Three kinds, one per trigger,
in one module: they differ in nothing else."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds._goods import message_kind

MIX = message_kind(
    code="mix_message",
    family=2,
    trigger="mix",
    label=_("Set complete: message on the bill"),
    description=_("A fixed mix of items complete prints the promotion's message on the bill (2f)."),
    example={"mix": [{"sku": "COKE", "quantity": 1}, {"sku": "SPRITE", "quantity": 1}]},
)
GROUP = message_kind(
    code="group_message",
    family=3,
    trigger="group",
    label=_("Any N of a group: message on the bill"),
    description=_("Any N units of the promotion's items print the promotion's message on the bill (3i)."),
    example={"quantity": 2},
)
VALUE = message_kind(
    code="value_message",
    family=4,
    trigger="value",
    label=_("Group value reached: message on the bill"),
    description=_("The promotion's items reaching an amount print the promotion's message on the bill (4f)."),
    example={"threshold": "295.00"},
)
