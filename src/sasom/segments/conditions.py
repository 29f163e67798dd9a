"""The conditions a segment may combine (all must hold), one explicit table.

Each kind names its parameters with their types and bounds; :func:`condition_clean` refuses an
unknown kind, an unknown or missing parameter, or a value out of bounds, naming the field
(``conditions.<i>.<param>``). ``apply`` narrows a member queryset; conditions on the ledger (spend,
points, last purchase, balance) are subqueries, so a segment stays one SQL statement.

Periods are days of the organization's calendar in its time zone, both ends included.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sasom.core import calendars
from sasom.core.errors import DomainError
from sasom.ledger.models import Entry, PointAccount, Sale
from sasom.members.models import Member
from sasom.organizations.models import Organization
from sasom.tiers.models import MemberTier

from .errors import E_CONDITION, E_PARAMETER

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

INT, DECIMAL, DATE, TEXT, INT_LIST, TEXT_LIST, BOOL = "int", "decimal", "date", "text", "int_list", "text_list", "bool"
MAX_LIST = 200
MAX_AMOUNT = Decimal("9999999999.99")


@dataclass(frozen=True)
class Context:
    organization_id: int
    time_zone: str
    today: dt.date
    calendar: str = ""  # the calendar of the organization's periods; read when a condition needs it

    def period_calendar(self) -> str:
        if self.calendar:
            return self.calendar
        organization = (Organization.objects.filter(pk=self.organization_id)
                        .only("calendar", "periods_follow_calendar").first())
        return calendars.period_calendar(organization)

    def start(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(self.time_zone or "Asia/Bangkok"))


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    required: bool = True
    low: Any = None
    high: Any = None
    choices: tuple[str, ...] = ()


Apply = Callable[[QuerySet[Member], dict[str, Any], Context], QuerySet[Member]]


@dataclass(frozen=True)
class ConditionKind:
    key: str
    label: str | Promise
    params: tuple[Param, ...]
    apply: Apply


def _bad(index: int, name: str, message: StrOrPromise) -> DomainError:
    return DomainError(E_PARAMETER, message, field=f"conditions.{index}.{name}")


def _clean_value(index: int, param: Param, value: Any) -> Any:
    try:
        if param.kind == INT:
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError
            out: Any = int(value)
        elif param.kind == DECIMAL:
            out = Decimal(str(value))
            if not out.is_finite() or abs(out) > MAX_AMOUNT:
                raise ValueError
        elif param.kind == DATE:
            out = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        elif param.kind == BOOL:
            if not isinstance(value, bool):
                raise ValueError
            out = value
        elif param.kind == TEXT:
            out = str(value).strip()
            if not out or len(out) > 100:
                raise ValueError
        else:  # lists
            if not isinstance(value, list | tuple) or not value or len(value) > MAX_LIST:
                raise ValueError
            if param.kind == INT_LIST:
                out = sorted({int(v) for v in value if not isinstance(v, bool)})
                if len(out) != len(set(value)):
                    raise ValueError
            else:
                out = sorted({str(v).strip() for v in value})
                if any(not v or len(v) > 100 for v in out):
                    raise ValueError
    except (TypeError, ValueError, InvalidOperation):
        raise _bad(index, param.name, _("This value is not valid here.")) from None
    items = out if isinstance(out, list) else [out]
    for item in items:
        if param.low is not None and item < param.low or param.high is not None and item > param.high:
            raise _bad(index, param.name, _("This value is out of range."))
        if param.choices and item not in param.choices:
            raise _bad(index, param.name, _("This value is not one of the choices."))
    return out


def condition_clean(index: int, condition: Any) -> dict[str, Any]:
    if not isinstance(condition, dict) or condition.get("kind") not in CONDITIONS:
        raise DomainError(E_CONDITION, _("Unknown condition."), field=f"conditions.{index}.kind")
    kind = CONDITIONS[condition["kind"]]
    names = {p.name for p in kind.params}
    unknown = sorted(set(condition) - names - {"kind"})
    if unknown:
        raise _bad(index, unknown[0], _("Unknown parameter."))
    clean: dict[str, Any] = {"kind": kind.key}
    for param in kind.params:
        value = condition.get(param.name)
        if value is None or value == "":
            if param.required:
                raise _bad(index, param.name, _("This parameter is required."))
            continue
        clean[param.name] = _clean_value(index, param, value)
    return clean


# -- member fields ------------------------------------------------------------------------------

def _in(field: str, param: str) -> Apply:
    return lambda qs, p, ctx: qs.filter(**{f"{field}__in": p[param]})


def _birth_month(qs: QuerySet[Member], p: dict[str, Any], ctx: Context) -> QuerySet[Member]:
    """Members born in one of the months, the organization's months: a Jalali shop whose periods
    follow its calendar means Jalali months (Esfand is not a Gregorian month: its days in every
    year of the last 130, as the birth-month messages and reports count them)."""
    calendar = ctx.period_calendar()
    if calendar != calendars.JALALI:
        return qs.filter(birth_on__month__in=p["months"])
    year = calendars.to_calendar(ctx.today, calendar)[0]
    born = Q()
    for month in p["months"]:
        for first, last in calendars.month_spans(month, year - 130, year, calendar):
            born |= Q(birth_on__gte=first, birth_on__lte=last)
    return qs.filter(born)


def _age(qs: QuerySet[Member], p: dict[str, Any], ctx: Context) -> QuerySet[Member]:
    def years_ago(n: int) -> dt.date:
        try:
            return ctx.today.replace(year=ctx.today.year - n)
        except ValueError:  # 29 February
            return ctx.today.replace(year=ctx.today.year - n, day=28)

    if "min_age" in p:
        qs = qs.filter(birth_on__lte=years_ago(p["min_age"]))
    if "max_age" in p:
        qs = qs.filter(birth_on__gt=years_ago(p["max_age"] + 1))
    return qs


def _tiers(qs: QuerySet[Member], p: dict[str, Any], ctx: Context) -> QuerySet[Member]:
    """Members whose tier now is one of the codes."""
    return qs.filter(pk__in=MemberTier.objects.filter(organization_id=ctx.organization_id,
                                                      tier__code__in=p["codes"]).values("member_id"))


def _tags(qs: QuerySet[Member], p: dict[str, Any], ctx: Context) -> QuerySet[Member]:
    # JSON list containment is not portable to SQLite: one OR of per-tag lookups on the text
    any_tag = Q()
    for tag in p["tags"]:
        any_tag |= Q(tags__icontains=f'"{tag}"')
    return qs.filter(any_tag)


def _custom(qs: QuerySet[Member], p: dict[str, Any], ctx: Context) -> QuerySet[Member]:
    return qs.filter(**{f"custom__{p['key']}": p["value"]})


# -- ledger -------------------------------------------------------------------------------------

def _period(p: dict[str, Any], ctx: Context) -> Q:
    return Q(occurred_at__gte=ctx.start(p["from_on"]), occurred_at__lt=ctx.start(p["to_on"] + dt.timedelta(days=1)))


def _totals_between(qs: QuerySet[Member], totals: QuerySet[Any], p: dict[str, Any], low: str, high: str) -> QuerySet[Member]:
    """Members whose total lies in [low, high]; a low of 0 or none includes those with no row."""
    if p.get(low):
        wanted = totals.filter(total__gte=p[low])
        if high in p:
            wanted = wanted.filter(total__lte=p[high])
        return qs.filter(pk__in=wanted.values("member"))
    if high in p:
        return qs.exclude(pk__in=totals.filter(total__gt=p[high]).values("member"))
    return qs


def _spend(qs: QuerySet[Member], p: dict[str, Any], ctx: Context) -> QuerySet[Member]:
    totals = (Sale.objects.filter(_period(p, ctx), organization_id=ctx.organization_id, member__isnull=False)
              .exclude(status=Sale.Status.VOIDED).values("member").annotate(total=Sum("net")))
    return _totals_between(qs, totals, p, "min_amount", "max_amount")


def _points(qs: QuerySet[Member], p: dict[str, Any], ctx: Context) -> QuerySet[Member]:
    totals = (Entry.objects.filter(_period(p, ctx), organization_id=ctx.organization_id, kind=Entry.Kind.EARN)
              .values(member=F("account__member_id")).annotate(total=Sum("amount")))
    return _totals_between(qs, totals, p, "min_points", "max_points")


def _last_purchase(qs: QuerySet[Member], p: dict[str, Any], ctx: Context) -> QuerySet[Member]:
    sales = Sale.objects.filter(organization_id=ctx.organization_id, member__isnull=False).exclude(
        status=Sale.Status.VOIDED)
    if "after_on" in p:
        qs = qs.filter(pk__in=sales.filter(occurred_at__gte=ctx.start(p["after_on"])).values("member"))
    if "before_on" in p:
        # bought before the day, and not since
        qs = qs.filter(pk__in=sales.values("member")).exclude(
            pk__in=sales.filter(occurred_at__gte=ctx.start(p["before_on"])).values("member"))
    return qs


def _balance(qs: QuerySet[Member], p: dict[str, Any], ctx: Context) -> QuerySet[Member]:
    totals = (PointAccount.objects.filter(organization_id=ctx.organization_id)
              .values("member").annotate(total=Sum("spendable")))
    return _totals_between(qs, totals, p, "min_points", "max_points")


GENDERS = tuple(Member.Gender.values)
MARITAL = tuple(Member.MaritalStatus.values)
STATUSES = tuple(s for s in Member.Status.values if s != Member.Status.ANONYMIZED)

CONDITIONS: dict[str, ConditionKind] = {k.key: k for k in (
    ConditionKind("member_type", _("Member type"), (Param("ids", INT_LIST, low=1),), _in("member_type_id", "ids")),
    ConditionKind("tier", _("Tier"), (Param("codes", TEXT_LIST),), _tiers),
    ConditionKind("home_branch", _("Home branch"), (Param("ids", INT_LIST, low=1),), _in("home_branch_id", "ids")),
    ConditionKind("status", _("Status"), (Param("statuses", TEXT_LIST, choices=STATUSES),), _in("status", "statuses")),
    ConditionKind("birth_month", _("Birth month"), (Param("months", INT_LIST, low=1, high=12),),
                  _birth_month),
    ConditionKind("age", _("Age band"), (Param("min_age", INT, False, 0, 130), Param("max_age", INT, False, 0, 130)),
                  _age),
    ConditionKind("gender", _("Gender"), (Param("genders", TEXT_LIST, choices=GENDERS),), _in("gender", "genders")),
    ConditionKind("marital_status", _("Marital status"), (Param("statuses", TEXT_LIST, choices=MARITAL),),
                  _in("marital_status", "statuses")),
    ConditionKind("occupation", _("Occupation contains"), (Param("text", TEXT),),
                  lambda qs, p, ctx: qs.filter(occupation__icontains=p["text"])),
    ConditionKind("tags", _("Has any of the tags"), (Param("tags", TEXT_LIST),), _tags),
    ConditionKind("custom_field", _("Custom field equals"), (Param("key", TEXT), Param("value", TEXT)), _custom),
    ConditionKind("marketing_consent", _("Marketing consent"), (Param("granted", BOOL),),
                  lambda qs, p, ctx: qs.filter(marketing_consent=p["granted"])),
    ConditionKind("spend", _("Spend in a period"), (
        Param("from_on", DATE), Param("to_on", DATE), Param("min_amount", DECIMAL, False, Decimal(0)),
        Param("max_amount", DECIMAL, False, Decimal(0))), _spend),
    ConditionKind("points_earned", _("Points earned in a period"), (
        Param("from_on", DATE), Param("to_on", DATE), Param("min_points", INT, False, 0),
        Param("max_points", INT, False, 0)), _points),
    ConditionKind("last_purchase", _("Last purchase"), (
        Param("before_on", DATE, False), Param("after_on", DATE, False)), _last_purchase),
    ConditionKind("balance", _("Points balance"), (
        Param("min_points", INT, False, 0), Param("max_points", INT, False, 0)), _balance),
)}
