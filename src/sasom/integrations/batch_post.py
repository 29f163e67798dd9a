"""Day-end batches, second half: posting the staged documents (``batch_calculate``).

Each chunk of ``CALC_CHUNK`` pending documents is one transaction: the plain sales posted
set-based by ``ledger.services.sales_post_bulk`` (the same rows as ``sale_post`` document by
document), a member with a referrer through ``sale_post`` in document order, then the documents'
statuses and the batch's counters. See ``integrations.batch`` for the file formats and staging.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from sasom.checkout.batch import BulkSale, sales_commit_batch
from sasom.checkout.services import sale_commit
from sasom.core.errors import DomainError, NotFound
from sasom.earning import engine
from sasom.integrations.models import BatchDocument, SaleBatch
from sasom.ledger.services.bulk import update_from_values
from sasom.members.models import Member
from sasom.members.selectors import _region, member_lookup
from sasom.members.validation import phone_e164
from sasom.organizations.models import Branch, Organization, Terminal

CALC_CHUNK = 500


class _Doc(NamedTuple):
    """A pending document as the chunk reads it: plain values, no model instance."""

    pk: int
    branch_code: str
    document_type: str
    document_number: str
    payload: dict[str, Any]


_DOC_FIELDS = ("id", "branch_code", "document_type", "document_number", "payload")


def _integration_terminal(organization_id: int, branch: Any) -> Any:
    """Day-end documents post at the branch's integration terminal ("<branch>-ERP"), made on first use."""

    terminal, _ = Terminal.objects.get_or_create(
        organization_id=organization_id, code=f"{branch.code}-ERP"[:40],
        defaults={"branch": branch, "name": f"ERP {branch.code}", "kind": Terminal.Kind.INTEGRATION},
    )
    return terminal


def _resolve_member(organization_id: int, ref: dict[str, str]) -> Any:

    if not ref:
        return None
    member = None
    if ref.get("debtor_code"):
        member = (
            Member.objects.filter(organization_id=organization_id, erp_debtor_code=ref["debtor_code"])
            .select_related("member_type").order_by("id").first()
        )
    if member is None and (ref.get("member_code") or ref.get("code") or ref.get("phone") or ref.get("card")):
        member = member_lookup(
            organization_id, phone=ref.get("phone"), card=ref.get("card"), code=ref.get("member_code") or ref.get("code")
        )
    if member is None:
        raise NotFound("member_not_found", f"no member matches {', '.join(f'{k}={v}' for k, v in ref.items())}")
    return member


def _basket_of(doc: BatchDocument | _Doc, plan: str) -> Any:

    payload = doc.payload
    return engine.Basket(
        occurred_at=dt.datetime.fromisoformat(payload["occurred_at"]),
        lines=tuple(
            engine.BasketLine(
                line_no=line["line_no"], sku=line["sku"], quantity=Decimal(line["quantity"]),
                unit_price=Decimal(line["unit_price"]), discount=Decimal(line["discount"]),
                category=line.get("category", ""), brand=line.get("brand", ""),
            )
            for line in payload["lines"]
        ),
        branch_code=doc.branch_code,
        salesperson=payload.get("salesperson", ""),
        document_type=doc.document_type,
        bill_discount=Decimal(payload.get("bill_discount") or "0"),
        bag_declined=bool(payload.get("bag_declined")),
        campaign_plan=payload.get("plan") or plan,
    )


def _refresh_counts(batch_id: int) -> None:

    rows = {
        r["status"]: r
        for r in BatchDocument.objects.filter(batch_id=batch_id).values("status").annotate(n=Count("id"), p=Sum("points"))
    }
    count = lambda s: rows.get(s, {}).get("n", 0)  # noqa: E731
    SaleBatch.objects.filter(pk=batch_id).update(
        documents_posted=count(BatchDocument.Status.POSTED),
        documents_duplicate=count(BatchDocument.Status.DUPLICATE),
        documents_rejected=count(BatchDocument.Status.REJECTED),
        points_posted=rows.get(BatchDocument.Status.POSTED, {}).get("p") or 0,
    )


def _reject(doc_id: int, code: str, reason: str) -> None:
    BatchDocument.objects.filter(pk=doc_id, status=BatchDocument.Status.PENDING).update(
        status=BatchDocument.Status.REJECTED, reason_code=code[:40], reason=reason[:300]
    )


def _resolve_members(organization_id: int, docs: list[_Doc]) -> dict[int, Any]:
    """The member of each document (doc id -> Member, None for a non-member sale, or the
    ``NotFound`` to reject it with), found with one query per kind of reference for the chunk:
    debtor codes, then phones; any other reference, or one these miss, takes ``_resolve_member``
    (the same order of preference: debtor code, then ``member_lookup``)."""

    refs = {doc.pk: (doc.payload.get("member") or {}) for doc in docs}
    base = Member.objects.filter(organization_id=organization_id).select_related("member_type").order_by("id")
    debtors = {r["debtor_code"] for r in refs.values() if r.get("debtor_code")}
    by_debtor: dict[str, Any] = {}
    for member in base.filter(erp_debtor_code__in=debtors) if debtors else ():
        by_debtor.setdefault(member.erp_debtor_code, member)
    phones: dict[int, str] = {}
    if any(r.get("phone") and r.get("debtor_code") not in by_debtor for r in refs.values()):
        region = _region(organization_id)
        for doc_id, ref in refs.items():
            if ref.get("phone") and ref.get("debtor_code") not in by_debtor:
                e164 = phone_e164(ref["phone"], region)
                if e164:
                    phones[doc_id] = e164
    by_phone = {m.phone: m for m in base.filter(phone__in=set(phones.values()))} if phones else {}
    out: dict[int, Any] = {}
    for doc_id, ref in refs.items():
        if not ref:
            out[doc_id] = None
        elif ref.get("debtor_code") in by_debtor:
            out[doc_id] = by_debtor[ref["debtor_code"]]
        elif phones.get(doc_id) in by_phone:
            out[doc_id] = by_phone[phones[doc_id]]
        else:
            try:
                out[doc_id] = _resolve_member(organization_id, ref)
            except NotFound as exc:
                out[doc_id] = exc
    return out


class _Chunk:
    """One chunk's documents on their way: what to post, and what became of each."""

    def __init__(self) -> None:
        self.updates: dict[int, tuple[str, int | None, int, str, str]] = {}  # doc id -> status, sale, points, code, reason

    # the statuses as plain strings: one UPDATE sends a column of plain values as it is
    # (``update_from_values``), a column of choices value by value through its field

    def reject(self, doc_id: int, code: str, reason: str) -> None:
        self.updates[doc_id] = (BatchDocument.Status.REJECTED.value, None, 0, str(code)[:40], str(reason)[:300])

    def done(self, doc_id: int, *, sale_id: int | None, created: bool, points: int) -> None:
        status = BatchDocument.Status.POSTED if created else BatchDocument.Status.DUPLICATE
        self.updates[doc_id] = (status.value, sale_id, points if created else 0, "", "")


def _calculate_chunk(*, batch: SaleBatch, ids: list[int], organization: Any, branches: dict[str, Any],
                     terminals: dict[str, Any], actor: Any) -> None:
    """Post one chunk of pending documents in one transaction: plain sales set-based
    (``checkout.batch.sales_commit_batch``), in document order; then the documents' statuses and
    the batch's counters, all committed together."""

    chunk = _Chunk()
    with transaction.atomic():
        docs = [_Doc(*row) for row in
                BatchDocument.objects.select_for_update(skip_locked=True)
                .filter(pk__in=ids, status=BatchDocument.Status.PENDING).order_by("id").values_list(*_DOC_FIELDS)]
        if not docs:
            return
        members = _resolve_members(organization.pk, docs)
        items: list[tuple[int, BulkSale]] = []
        for doc in docs:
            try:
                branch = branches.get(doc.branch_code)
                if branch is None:
                    raise DomainError("unknown_branch", f"branch '{doc.branch_code}' does not exist")
                if doc.branch_code not in terminals:
                    terminals[doc.branch_code] = _integration_terminal(organization.pk, branch)
                basket = _basket_of(doc, batch.plans.get(doc.document_type, ""))
                member = members[doc.pk]
                if isinstance(member, DomainError):
                    raise member
                items.append((doc.pk, BulkSale(
                    branch=branch, terminal=terminals[doc.branch_code],
                    receipt_id=f"{doc.document_type}/{doc.document_number}"[:64], basket=basket, member=member,
                )))
            except DomainError as exc:
                chunk.reject(doc.pk, exc.code, str(exc.message))
            except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
                chunk.reject(doc.pk, "invalid_document", f"the document cannot be read: {exc}")
        outcomes = sales_commit_batch(organization=organization, items=[item for _d, item in items], actor=actor)
        for (doc_id, _item), outcome in zip(items, outcomes, strict=True):
            if outcome.error is not None:
                chunk.reject(doc_id, outcome.error.code, str(outcome.error.message))
            else:
                chunk.done(doc_id, sale_id=outcome.sale_id, created=outcome.created, points=outcome.points_earned)
        _store_outcomes(batch.pk, docs, chunk)


def _store_outcomes(batch_id: int, docs: list[_Doc], chunk: _Chunk) -> None:
    """The documents' new statuses (one UPDATE) and the batch's counters moved by as much (one
    UPDATE), in the chunk's transaction: the progress bar is right at every commit."""


    changed = []
    posted = duplicate = rejected = points = 0
    for doc in docs:
        if doc.pk not in chunk.updates:
            continue
        status, _sale, doc_points, _code, _reason = row = chunk.updates[doc.pk]
        changed.append((doc.pk, *row))
        posted += status == BatchDocument.Status.POSTED
        duplicate += status == BatchDocument.Status.DUPLICATE
        rejected += status == BatchDocument.Status.REJECTED
        points += doc_points
    update_from_values(BatchDocument, ["status", "sale_id", "points", "reason_code", "reason"], changed)
    SaleBatch.objects.filter(pk=batch_id).update(
        documents_posted=F("documents_posted") + posted, documents_duplicate=F("documents_duplicate") + duplicate,
        documents_rejected=F("documents_rejected") + rejected, points_posted=F("points_posted") + points,
    )


def _calculate_one(*, batch: SaleBatch, doc_id: int, organization: Any, branches: dict[str, Any],
                   terminals: dict[str, Any], actor: Any) -> None:
    """One document through ``sale_post`` in its own transaction (the path of a chunk that met
    another run's postings)."""

    try:
        with transaction.atomic():
            doc = (
                BatchDocument.objects.select_for_update(skip_locked=True)
                .filter(pk=doc_id, status=BatchDocument.Status.PENDING).first()
            )
            if doc is None:
                return
            branch = branches.get(doc.branch_code)
            if branch is None:
                raise DomainError("unknown_branch", f"branch '{doc.branch_code}' does not exist")
            if doc.branch_code not in terminals:
                terminals[doc.branch_code] = _integration_terminal(organization.pk, branch)
            done = sale_commit(
                organization=organization, branch=branch, terminal=terminals[doc.branch_code],
                receipt_id=f"{doc.document_type}/{doc.document_number}"[:64],
                basket=_basket_of(doc, batch.plans.get(doc.document_type, "")),
                member=_resolve_member(organization.pk, doc.payload.get("member") or {}),
                actor=actor, batch=True,
            )
            BatchDocument.objects.filter(pk=doc.pk).update(
                status=BatchDocument.Status.POSTED if done.created else BatchDocument.Status.DUPLICATE,
                sale_id=done.sale.pk, points=done.sale.points_earned if done.created else 0,
            )
    except DomainError as exc:
        _reject(doc_id, exc.code, str(exc.message))
    except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
        _reject(doc_id, "invalid_document", f"the document cannot be read: {exc}")


def batch_calculate(*, batch_id: int, actor: Any) -> SaleBatch:
    """Post every pending document of the batch through the ledger, one chunk per transaction.

    Each chunk of ``CALC_CHUNK`` documents is posted set-based (``ledger.services.sales_post_bulk``:
    the same rows as ``sale_post`` document by document) together with the documents' statuses
    and the batch's counters. Resumable: a run that stops (crash, kill, deploy) leaves whole
    chunks posted and marked and the rest pending, and the next run carries on. Two runs at once
    never post a document twice: each takes its chunk's document rows with
    ``SELECT ... FOR UPDATE SKIP LOCKED``, and the sale's unique receipt key (branch, ERP
    terminal, "<document type>/<number>") refuses a second posting anyway — a chunk that meets
    one rolls back and is posted document by document.
    """


    batch = SaleBatch.objects.get(pk=batch_id)
    if batch.status not in (SaleBatch.Status.PARSED, SaleBatch.Status.CALCULATING):
        return batch
    SaleBatch.objects.filter(pk=batch.pk).update(
        status=SaleBatch.Status.CALCULATING, started_at=batch.started_at or timezone.now()
    )
    _refresh_counts(batch.pk)  # a resumed run starts from what is stored
    organization = Organization.objects.get(pk=batch.organization_id)
    context = dict(batch=batch, organization=organization, actor=actor, terminals={},
                   branches={b.code: b for b in Branch.objects.filter(organization=organization)})
    last_id = 0
    while True:
        ids = list(
            BatchDocument.objects.filter(batch_id=batch.pk, status=BatchDocument.Status.PENDING, id__gt=last_id)
            .order_by("id").values_list("id", flat=True)[:CALC_CHUNK]
        )
        if not ids:
            break
        last_id = ids[-1]
        try:
            _calculate_chunk(ids=ids, **context)
        except IntegrityError:
            for doc_id in ids:
                _calculate_one(doc_id=doc_id, **context)
            _refresh_counts(batch.pk)
    _refresh_counts(batch.pk)
    SaleBatch.objects.filter(pk=batch.pk).update(status=SaleBatch.Status.DONE, finished_at=timezone.now())
    batch.refresh_from_db()
    return batch
