"""B7r: every report's first page and totals on a big organization (issue 17, "Speed"), PostgreSQL.

``python -m bench.reports_scale --members 1000000 --sales 2000000`` (the database ``DATABASE_URL``
names; 10 lines a sale: 20,000,000 sale lines). In an organization of its own, built with
set-based SQL (``INSERT ... SELECT`` over ``generate_series``): members with their demographic
fields spread (gender, birthday, occupation, marital status, province, member type, a tier),
their accounts, sales over the 365 days before today in 10 branches (four in five by a member),
10 lines each in 40 categories, an earn entry and its lot for every member sale, and redemptions
of 20 rewards with their redeem entries. ``--keep`` reuses a build of the same size.

Then, for every registered report, what its screen does (the same calls as ``reports.views``):
the filter form with the report's default period, the first page (its count and 50 rows,
finished), the totals and the chart; and again for the last 12 months. And the dashboard's
figures and charts. The target is 5 s per report screen. Purchases by segment is also timed as
its page answers it (``reports.deferred``: a period over ``REPORTS_SEGMENT_INLINE_SALES`` is
computed by the worker): the page's answer without a stored result, the worker's run, then the
page reading the stored result, for the default period and 12 months. Last, one export streamed to nothing
(the largest report, CSV) with the process's peak memory before and after: flat memory.

The sales reports read the daily sales summary (``reports.summary``): after the data, the bench
deletes the organization's summary and times the nightly job building every closed day (its
cost), then one read's check (today's days rebuilt). ``--raw`` switches the summary off: the
reports aggregate the raw sales, as before it existed (``--points-raw``: the member points summary
groups every entry instead of reading the accounts' balances); ``--keep --reuse-summary`` keeps the summary
of an earlier run (the job then adds only what changed: minutes saved at a million members), and
``--export SLUG`` (or ``none``) names the report exported. The build checks foreign keys statement by
statement (``SET CONSTRAINTS ALL IMMEDIATE``) instead of all at the one COMMIT.

Prints a table and one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasom.settings")

ORG_CODE = "BENCH-REPORTS"
LIMIT_S = 5.0


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _insert_select(cur: Any, model: Any, template: Any, exprs: dict[str, Any], tail: str, params: list[Any]) -> None:
    """``INSERT INTO model SELECT ...``: the columns named in ``exprs`` from SQL (a string, or a
    string and its parameters), every other column the template instance's value (its defaults)."""
    from django.db import connection

    cols = [f for f in model._meta.concrete_fields if f.column != "id"]
    sql_exprs, values = [], []
    for f in cols:
        if f.column in exprs:
            expr = exprs[f.column]
            sql, own = (expr, []) if isinstance(expr, str) else expr
            sql_exprs.append(sql)
            values.extend(own)
        else:
            sql_exprs.append("%s")
            values.append(f.get_db_prep_save(f.pre_save(template, True), connection))
    names = ", ".join(f.column for f in cols)
    cur.execute(f"INSERT INTO {model._meta.db_table} ({names}) SELECT {', '.join(sql_exprs)} {tail}",
                [*values, *params])


def _build(members: int, sales: int, keep: bool) -> Any:  # noqa: PLR0915 - one build, step by step
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from sasom.core.audit import Actor
    from sasom.core.roles import Role
    from sasom.ledger.models import Entry, Lot, PointAccount, Sale, SaleLine
    from sasom.members.models import Member, MemberType
    from sasom.organizations.models import Branch, Organization, Staff, Terminal
    from sasom.reports.summary_models import DailyLineSales, DailyMemberSales, SummaryDay
    from sasom.rewards.models import Redemption, Reward
    from sasom.tiers.models import MemberTier, Tier
    from sasom.tiers.services import TierIn, ladder_configure

    org, _ = Organization.objects.get_or_create(code=ORG_CODE, defaults={"name": "bench reports"})
    user, _ = get_user_model().objects.get_or_create(username="bench-reports-owner")
    staff, _ = Staff.objects.get_or_create(user=user, defaults={"organization": org, "role": Role.OWNER})
    if keep and Member.objects.filter(organization=org).count() == members \
            and Sale.objects.filter(organization=org).count() == sales:
        return org, staff, {"build_s": 0.0, "reused": True}
    t0 = time.monotonic()
    tables = [m._meta.db_table for m in (DailyLineSales, DailyMemberSales, SummaryDay, Redemption, Lot, Entry, SaleLine, Sale,
                                         MemberTier, PointAccount, Member)]
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org.pk])
    types = [MemberType.objects.get_or_create(organization=org, code=f"T{i}", defaults={"name": f"type {i}"})[0]
             for i in range(4)]
    branches = [Branch.objects.get_or_create(organization=org, code=f"B{i:02d}", defaults={"name": f"branch {i}"})[0]
                for i in range(10)]
    terminals = [Terminal.objects.get_or_create(organization=org, code=f"B{i:02d}-T1",
                                                defaults={"branch": b, "name": "till"})[0]
                 for i, b in enumerate(branches)]
    rewards = [Reward.objects.get_or_create(organization=org, code=f"R{i:02d}",
                                            defaults={"name": f"reward {i}", "points_cost": 100 + 50 * i})[0]
               for i in range(20)]
    ladder_configure(organization_id=org.pk, actor=Actor.system("bench"), name="B7r", window_months=12,
                     cutoff_frequency="yearly", tiers=[TierIn("B7R-BASIC", "Basic", 500),
                                                      TierIn("B7R-GOLD", "Gold", 1000),
                                                      TierIn("B7R-PLAT", "Platinum", 2000)])
    tiers = list(Tier.objects.filter(organization=org).order_by("threshold"))
    now = timezone.now()
    M, A = Member._meta.db_table, PointAccount._meta.db_table
    S, E = Sale._meta.db_table, Entry._meta.db_table
    type_ids = "ARRAY[" + ",".join(str(t.pk) for t in types) + "]::bigint[]"
    branch_ids = "ARRAY[" + ",".join(str(b.pk) for b in branches) + "]::bigint[]"
    terminal_ids = "ARRAY[" + ",".join(str(t.pk) for t in terminals) + "]::bigint[]"
    reward_ids = "ARRAY[" + ",".join(str(r.pk) for r in rewards) + "]::bigint[]"
    tier_ids = "ARRAY[" + ",".join(str(t.pk) for t in tiers) + "]::bigint[]"
    with transaction.atomic(), connection.cursor() as cur:
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: checked one by one at COMMIT,
        # 20,000,000 lines' worth queued in memory; checked per statement instead
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        template = Member(organization=org, member_type=types[0], code="T", first_name="bench", last_name="member",
                          joined_on=dt.date(2020, 1, 1))
        _insert_select(cur, Member, template, {
            "code": "'R' || LPAD(CAST(g AS TEXT), 8, '0')",
            "phone": "'+6690' || LPAD(CAST(g AS TEXT), 7, '0')",
            "member_type_id": f"({type_ids})[1 + mod(g, 4)]",
            "first_name": "'member ' || CAST(g AS TEXT)",
            "gender": "(ARRAY['male','female','','female'])[1 + mod(g, 4)]",
            "birth_on": "DATE '1960-01-01' + mod(g::bigint * 7919, 16000)::int",
            "occupation": "(ARRAY['','employee','business owner','student','civil servant'])[1 + mod(g, 5)]",
            "marital_status": "(ARRAY['','single','married','divorced'])[1 + mod(g, 4)]",
            "province": "(ARRAY['กรุงเทพมหานคร','เชียงใหม่','ขอนแก่น','ภูเก็ต','ชลบุรี'])[1 + mod(g, 5)]",
            "address_line": "CAST(g AS TEXT) || ' ถนนสุขุมวิท'",
            "postcode": "'10110'",
            "joined_on": "DATE '2020-01-01' + (mod(g, 2500))",
            "expires_on": "DATE '2027-01-01' + (mod(g, 900))",
            "home_branch_id": f"({branch_ids})[1 + mod(g, 10)]",
            "created_at": "now()", "updated_at": "now()",
        }, "FROM generate_series(1, %s) g", [members])
        cur.execute(f"INSERT INTO {A} (organization_id, member_id, spendable, pending, lifetime_earned, debt, "
                    f"sale_count, created_at, updated_at) SELECT organization_id, id, 0, 0, 0, 0, 0, now(), now() "
                    f"FROM {M} WHERE organization_id = %s", [org.pk])
        cur.execute(f"INSERT INTO {MemberTier._meta.db_table} (organization_id, member_id, tier_id, reached_on, "
                    f"floor_note, updated_at) SELECT organization_id, id, ({tier_ids})[1 + mod(id, 3)], '2026-01-01', "
                    f"'', now() FROM {M} WHERE organization_id = %s AND mod(id, 2) = 0", [org.pk])
        # sales: sale g at (now - g's share of 365 days); four in five by member g * 7 % members
        cur.execute(f"CREATE TEMP TABLE bench_m ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY m.id) AS n, "
                    f"m.id AS member_id, a.id AS account_id, m.member_type_id FROM {M} m JOIN {A} a ON a.member_id = m.id "
                    f"WHERE m.organization_id = %s", [org.pk])
        cur.execute(f"CREATE INDEX ON bench_m (n); ANALYZE bench_m; ANALYZE {M}; ANALYZE {A}")
        template = Sale(organization=org, branch=branches[0], terminal=terminals[0], receipt_id="x", occurred_at=now,
                        gross=0, net=0, body_hash="bench")
        _insert_select(cur, Sale, template, {
            "branch_id": f"({branch_ids})[1 + mod(g, 10)]", "terminal_id": f"({terminal_ids})[1 + mod(g, 10)]",
            "receipt_id": "CAST(g AS TEXT)",
            "occurred_at": ("%s - make_interval(secs => (g::float8 / %s) * 365 * 86400)", [now, sales]),
            "member_id": "CASE WHEN mod(g, 5) <> 0 THEN bm.member_id END",
            "account_id": "CASE WHEN mod(g, 5) <> 0 THEN bm.account_id END",
            "member_type_code": "CASE WHEN mod(g, 5) <> 0 THEN 'T' || CAST(mod(bm.member_type_id, 4) AS TEXT) ELSE '' END",
            "gross": "1000.00", "net": "1000.00", "eligible_net": "1000.00",
            "points_earned": "CASE WHEN mod(g, 5) <> 0 THEN 10 ELSE 0 END",
            "recorded_at": "now()",
        }, "FROM generate_series(1, %s) g JOIN bench_m bm ON bm.n = 1 + mod(g::bigint * 7, %s)", [sales, members])
        template_line = SaleLine(organization=org, sale_id=0, line_no=1, sku="x", quantity=1, unit_price=0, net=0)
        _insert_select(cur, SaleLine, template_line, {
            "sale_id": "s.id", "line_no": "k", "sku": "'SKU' || CAST(mod(s.id::bigint * 13 + k, 400) AS TEXT)",
            "category": "'CAT' || CAST(mod(s.id + k, 40) AS TEXT)", "brand": "'BRAND' || CAST(k AS TEXT)",
            "quantity": "1", "unit_price": "100.00", "net": "100.00",
        }, f"FROM {S} s CROSS JOIN generate_series(1, 10) k WHERE s.organization_id = %s", [org.pk])
        template_entry = Entry(organization=org, account_id=0, kind="earn", sign=1, amount=10, occurred_at=now)
        _insert_select(cur, Entry, template_entry, {
            "account_id": "s.account_id", "sale_id": "s.id", "branch_id": "s.branch_id",
            "terminal_id": "s.terminal_id", "source_type": "'sale'", "source_id": "CAST(s.id AS TEXT)",
            "occurred_at": "s.occurred_at", "recorded_at": "now()", "explanation": "'{}'::jsonb",
        }, f"FROM {S} s WHERE s.organization_id = %s AND s.member_id IS NOT NULL", [org.pk])
        cur.execute(f"ANALYZE {S}; ANALYZE {E}")  # fresh rows: plans need their statistics
        cur.execute(f"INSERT INTO {Lot._meta.db_table} (organization_id, account_id, entry_id, amount, remaining, "
                    f"earned_at, expires_on, is_pending) SELECT organization_id, account_id, id, amount, amount, "
                    f"occurred_at, (occurred_at + interval '2 years')::date, false FROM {E} "
                    f"WHERE organization_id = %s AND kind = 'earn'", [org.pk])
        # one redemption in 20 member sales: a redeem entry of the points that sale earned (its lot
        # used up) and its redemption row
        template_spend = Entry(organization=org, account_id=0, kind=Entry.Kind.REDEEM, sign=-1, amount=100,
                               occurred_at=now)
        _insert_select(cur, Entry, template_spend, {
            "account_id": "e.account_id", "amount": "e.amount", "branch_id": "e.branch_id", "source_type": "'redemption'",
            "source_id": "CAST(e.id AS TEXT)", "occurred_at": "e.occurred_at + interval '1 minute'",
            "recorded_at": "now()", "explanation": "'{}'::jsonb",
        }, f"FROM {E} e WHERE e.organization_id = %s AND e.kind = 'earn' AND mod(e.id, 20) = 0", [org.pk])
        cur.execute(f"UPDATE {Lot._meta.db_table} SET remaining = 0 WHERE organization_id = %s "
                    f"AND mod(entry_id, 20) = 0", [org.pk])
        template_redemption = Redemption(organization=org, number="x", member_id=0, reward=rewards[0],
                                         branch=branches[0], points=100)
        _insert_select(cur, Redemption, template_redemption, {
            "number": "'RD' || CAST(e.id AS TEXT)", "member_id": "a.member_id",
            "reward_id": f"({reward_ids})[1 + mod(e.id, 20)]", "branch_id": "e.branch_id", "points": "e.amount",
            "spend_entry_id": "e.id", "created_at": "e.occurred_at",
        }, f"FROM {E} e JOIN {A} a ON a.id = e.account_id WHERE e.organization_id = %s AND e.kind = 'redeem'",
            [org.pk])
        cur.execute(f"ANALYZE {E}; ANALYZE {A}")
        cur.execute(f"UPDATE {A} a SET lifetime_earned = x.earned, spendable = x.net, sale_count = x.n "
                    f"FROM (SELECT account_id, SUM(amount) FILTER (WHERE sign = 1) AS earned, "
                    f"SUM(amount * sign) AS net, COUNT(*) FILTER (WHERE kind = 'earn') AS n FROM {E} "
                    f"WHERE organization_id = %s GROUP BY account_id) x WHERE x.account_id = a.id", [org.pk])
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"ANALYZE {table}")
        # the points reports read entries and open lots from their indexes alone (index-only scans
        # need the visibility map, which a fresh table gets from its first vacuum: autovacuum's, later)
        for model in (Entry, Lot, PointAccount):
            cur.execute(f"VACUUM {model._meta.db_table}")
    return org, staff, {"build_s": round(time.monotonic() - t0, 1), "reused": False}


def org_today(org: Any) -> dt.date:
    import zoneinfo

    from django.utils import timezone

    return timezone.now().astimezone(zoneinfo.ZoneInfo(org.time_zone)).date()


def _screen(report: Any, staff: Any, period: tuple[dt.date, dt.date] | None,
            extra: dict[str, str] | None = None) -> dict[str, float]:
    """What ``reports.views.report_view`` does for page 1, timed in its parts (``extra``: more of
    the report's own filters, such as purchases' ``segment_by``)."""
    from django.core.paginator import Paginator

    from sasom.members.models import MemberType
    from sasom.reports.framework import PER_PAGE, branches_for, scope_resolve, tiers_for

    member_types = list(MemberType.objects.filter(organization_id=staff.organization_id))
    data: dict[str, str] = {}
    if report.uses_dates and period:
        data = {"date_from": period[0].isoformat(), "date_to": period[1].isoformat()}
    data.update(extra or {})
    form = report.form_class(data or None, report=report, staff=staff, branches=branches_for(staff),
                             member_types=member_types, tiers=tiers_for(staff.organization_id))
    if data and not form.is_valid() and extra:
        raise SystemExit(f"{report.slug} {extra}: {form.errors}")
    scope = scope_resolve(form, report=report, staff=staff)
    out = {}
    t0 = time.monotonic()
    page = Paginator(report.sorted_rows(scope, ""), PER_PAGE).get_page(1)
    report.finish(list(page.object_list), scope)
    out["page_s"] = time.monotonic() - t0
    t0 = time.monotonic()
    if report.total_columns():
        report.totals(scope)
    out["totals_s"] = time.monotonic() - t0
    t0 = time.monotonic()
    report.chart(scope)
    out["chart_s"] = time.monotonic() - t0
    out["total_s"] = out["page_s"] + out["totals_s"] + out["chart_s"]
    out["rows"] = page.paginator.count
    return out


def _summary_build(org: Any, today: dt.date, reuse: bool = False) -> dict[str, Any]:
    """The nightly job's cost on this organization: every closed day built from nothing (with
    ``reuse``, the job on the summary already there: only what changed); then a read's check of the
    last 12 months (today built)."""
    from django.db import connection

    from sasom.reports.summary import summary_job, summary_refresh
    from sasom.reports.summary_models import DailyLineSales, DailyMemberSales, SummaryDay

    if not reuse:
        DailyMemberSales.objects.filter(organization=org).delete()
        DailyLineSales.objects.filter(organization=org).delete()
        SummaryDay.objects.filter(organization=org).delete()
    t0 = time.monotonic()
    counts = summary_job(organization_id=org.pk, on_date=today)
    job_s = time.monotonic() - t0
    with connection.cursor() as cur:  # fresh rows: plans need their statistics, and the reports grouped by
        # member an index-only scan the visibility map allows (what autovacuum does after a build, later)
        cur.execute(f"VACUUM ANALYZE {DailyMemberSales._meta.db_table}")
        cur.execute(f"ANALYZE {DailyLineSales._meta.db_table}; ANALYZE {SummaryDay._meta.db_table}")
    t0 = time.monotonic()
    summary_refresh(organization=org, start_on=today - dt.timedelta(days=364), end_on=today)
    refresh_s = time.monotonic() - t0
    t0 = time.monotonic()
    summary_refresh(organization=org, start_on=today - dt.timedelta(days=364), end_on=today)
    check_s = time.monotonic() - t0
    rows = DailyMemberSales.objects.filter(organization=org).count()
    sys.stdout.write(f"summary: job {job_s:.1f} s ({counts['built_days']} days, {rows} rows), "
                     f"today {refresh_s:.2f} s, a read's check {check_s:.3f} s\n")
    return {"job_s": round(job_s, 1), "days": counts["built_days"], "rows": rows, "today_s": round(refresh_s, 2),
            "check_s": round(check_s, 3)}


def step_reports(members: int, sales: int, keep: bool, only: list[str], raw: bool = False,  # noqa: PLR0913
                 reuse_summary: bool = False, export_slug: str = "member-points",
                 segments: list[str] | None = None) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from sasom.reports import exports
    from sasom.reports import views as _views  # noqa: F401 - registers every report
    from sasom.reports.dashboard import dashboard_charts, dashboard_figures
    from sasom.reports.framework import REPORTS, branches_for, scope_resolve, tiers_for

    if connection.vendor != "postgresql":
        return {"skipped": "PostgreSQL only (set-based data build)"}
    org, staff, built = _build(members, sales, keep)
    today = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    year = (today - dt.timedelta(days=364), today)
    summary = None if raw else _summary_build(org, org_today(org), reuse=keep and reuse_summary)
    results: dict[str, Any] = {}
    for slug, report in REPORTS.items():
        if only and slug not in only:
            continue
        default = _screen(report, staff, None)
        last_year = _screen(report, staff, year) if report.uses_dates else None
        results[slug] = {"default": default, "year": last_year}
        worst = max(default["total_s"], last_year["total_s"] if last_year else 0)
        sys.stdout.write(f"{slug:32} default {default['total_s']:7.2f} s  12 months "
                         f"{(last_year or default)['total_s']:7.2f} s  {'ok' if worst <= LIMIT_S else 'SLOW'}\n")
        sys.stdout.flush()
    if not only or "purchases-by-segment" in only:
        report = REPORTS["purchases-by-segment"]
        for name, period in (("default", None), ("year", year)):
            timed = _deferred(report, staff, period)
            results[f"purchases-by-segment:page:{name}"] = {"default": {"total_s": timed["answer_s"], **timed},
                                                            "year": None}
            sys.stdout.write(f"{'  the page, ' + name:32} answers {timed['answer_s']:6.2f} s"
                             + (f" (background: run {timed['run_s']:.2f} s, then the page {timed['stored_s']:.2f} s"
                                f"{'' if timed['current'] else ', NOT current'})" if "run_s" in timed else " (inline)")
                             + f", {timed['sales']} sales\n")
            sys.stdout.flush()
    if segments and (not only or "purchases-by-segment" in only):
        results.update(_segments(REPORTS["purchases-by-segment"], staff, year, segments))
    t0 = time.monotonic()
    dashboard_figures(staff)
    dashboard_charts(staff)
    results["dashboard"] = {"total_s": time.monotonic() - t0}
    sys.stdout.write(f"{'dashboard':32} {results['dashboard']['total_s']:7.2f} s\n")
    # an export streamed to nothing: the biggest report, 12 months, memory before and after
    if export_slug == "none":
        return _result(members, sales, built, summary, results, None)
    report = REPORTS[export_slug]
    from sasom.members.models import MemberType

    form = report.form_class({"date_from": year[0].isoformat(), "date_to": year[1].isoformat()}, report=report,
                             staff=staff, branches=branches_for(staff), member_types=list(
                                 MemberType.objects.filter(organization=org)), tiers=tiers_for(org.pk))
    form.is_valid()
    scope = scope_resolve(form, report=report, staff=staff)
    rss_before = _rss_mb()
    t0 = time.monotonic()
    size = sum(len(chunk) for chunk in exports.csv_chunks(report, scope, ""))
    export = {"report": report.slug, "seconds": round(time.monotonic() - t0, 1), "bytes": size,
              "rss_mb_before": round(rss_before), "rss_mb_after": round(_rss_mb())}
    sys.stdout.write(f"export {report.slug}: {export['seconds']} s, {size} bytes, peak memory "
                     f"{export['rss_mb_before']} MB before, {export['rss_mb_after']} MB after\n")
    return _result(members, sales, built, summary, results, export)


def _deferred(report: Any, staff: Any, period: tuple[dt.date, dt.date] | None) -> dict[str, Any]:
    """Purchases by segment as its page answers it (``reports.deferred``): the screen's answer
    without a stored result (the cost estimate, the lookup, the run queued), the worker's run
    (rows and totals computed and stored), then the screen reading the stored result (page, totals,
    chart)."""
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from sasom.members.models import MemberType
    from sasom.reports import deferred
    from sasom.reports.framework import PER_PAGE, branches_for, scope_resolve, tiers_for
    from sasom.reports.models import ReportResult

    deferred._enqueue = lambda result_id: None  # the bench runs it itself, timed
    ReportResult.objects.filter(organization_id=staff.organization_id).delete()

    def scope_of() -> Any:
        data = {"date_from": period[0].isoformat(), "date_to": period[1].isoformat()} if period else {}
        form = report.form_class(data or None, report=report, staff=staff, branches=branches_for(staff),
                                 member_types=list(MemberType.objects.filter(organization_id=staff.organization_id)),
                                 tiers=tiers_for(staff.organization_id))
        return scope_resolve(form, report=report, staff=staff)

    query = QueryDict(mutable=True)
    if period:
        query.update({"date_from": period[0].isoformat(), "date_to": period[1].isoformat()})
    t0 = time.monotonic()
    later = deferred.deferred_screen(report, scope_of(), staff=staff, query=query)
    out: dict[str, Any] = {"answer_s": time.monotonic() - t0, "deferred": int(later is not None),
                           "sales": later.work.sales if later else 0}
    if later is None or later.result is None:
        return out
    t0 = time.monotonic()
    deferred.report_result_run(result_id=later.result.pk)
    out["run_s"] = time.monotonic() - t0
    t0 = time.monotonic()
    scope = scope_of()
    again = deferred.deferred_screen(report, scope, staff=staff, query=query)
    page = Paginator(report.sorted_rows(scope, ""), PER_PAGE).get_page(1)
    report.finish(list(page.object_list), scope)
    report.totals(scope)
    report.chart(scope)
    out["stored_s"] = time.monotonic() - t0
    out["current"] = int(bool(again and again.current))
    return out


def _segments(report: Any, staff: Any, year: tuple[dt.date, dt.date], segments: list[str]) -> dict[str, Any]:
    """Purchases by segment once per ``segment_by`` (its default, member type, is timed above)."""
    results = {}
    for segment in segments:
        extra = {"segment_by": segment}
        default, last_year = _screen(report, staff, None, extra), _screen(report, staff, year, extra)
        results[f"purchases-by-segment:{segment}"] = {"default": default, "year": last_year}
        worst = max(default["total_s"], last_year["total_s"])
        sys.stdout.write(f"{'  segment_by=' + segment:32} default {default['total_s']:7.2f} s  12 months "
                         f"{last_year['total_s']:7.2f} s  {'ok' if worst <= LIMIT_S else 'SLOW'}\n")
        sys.stdout.flush()
    return results


def _result(members: int, sales: int, built: dict[str, Any], summary: Any, results: dict[str, Any],
            export: Any) -> dict[str, Any]:
    slow = sorted(slug for slug, r in results.items() if slug != "dashboard" and max(
        r["default"]["total_s"], (r["year"] or r["default"])["total_s"]) > LIMIT_S)
    return {"members": members, "sales": sales, "lines": sales * 10, **built, "summary": summary, "slow": slow,
            "dashboard_s": round(results["dashboard"]["total_s"], 2), "export": export,
            "reports": {slug: {k: {kk: round(vv, 3) for kk, vv in v.items()} if v else None for k, v in r.items()}
                        for slug, r in results.items() if slug != "dashboard"}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.reports_scale")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--sales", type=int, default=2_000_000, help="sales of 10 lines each")
    parser.add_argument("--keep", action="store_true", help="reuse a build of the same size")
    parser.add_argument("--only", nargs="*", default=[], help="report slugs to time (default: all)")
    parser.add_argument("--raw", action="store_true", help="the reports on the raw sales (no summary)")
    parser.add_argument("--reuse-summary", action="store_true",
                        help="with --keep: keep the summary built by an earlier run (the nightly job adds what changed)")
    parser.add_argument("--export", default="member-points", help="the report exported to CSV, or none")
    parser.add_argument("--segments", nargs="*", default=[],
                        help="purchases-by-segment again per segment_by (tier gender age all)")
    parser.add_argument("--points-raw", action="store_true",
                        help="the member points summary over every entry, not the accounts' balances")
    args = parser.parse_args(argv)
    import django
    from django.conf import settings

    django.setup()
    settings.REPORTS_SALES_SUMMARY = not args.raw
    settings.REPORTS_POINTS_BALANCES = not args.points_raw
    result = step_reports(args.members, args.sales, args.keep, args.only, raw=args.raw,
                          reuse_summary=args.reuse_summary, export_slug=args.export, segments=args.segments)
    sys.stdout.write("\n" + json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
