"""What a batch could not post, for the screen, its CSV and ``GET /batches/{id}/rejected``: the
rejected documents with their reasons, and the duplicates (documents posted before) with the
batch that posted them first, or none when the API or the counter did."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from sasom.integrations.errors import E_ALREADY_POSTED
from sasom.integrations.models import BatchDocument, SaleBatch

LISTED = (BatchDocument.Status.REJECTED, BatchDocument.Status.DUPLICATE)


def batch_unposted(batch: SaleBatch) -> QuerySet[BatchDocument]:
    """The batch's rejected and duplicate documents in file order; each duplicate annotated with
    ``first_batch_id`` and ``first_batch_on``: the batch whose document posted its sale (one
    subquery on the indexed ``sale_id``), None when the sale came through the API or the counter."""
    first = BatchDocument.objects.filter(
        organization_id=batch.organization_id, sale_id=OuterRef("sale_id"), status=BatchDocument.Status.POSTED,
    ).order_by("id")
    return (
        BatchDocument.objects.filter(batch=batch, status__in=LISTED)
        .annotate(first_batch_id=Subquery(first.values("batch_id")[:1]),
                  first_batch_on=Subquery(first.values("batch__business_on")[:1]))
        .order_by("row_no", "id")
    )


def unposted_code(doc: BatchDocument) -> str:
    return E_ALREADY_POSTED if doc.status == BatchDocument.Status.DUPLICATE else doc.reason_code


def unposted_reason(doc: BatchDocument) -> str:
    """Why ``doc`` (from ``batch_unposted``) was not posted, in the reader's language."""
    if doc.status != BatchDocument.Status.DUPLICATE:
        return doc.reason
    first_id = getattr(doc, "first_batch_id", None)
    if first_id is not None:
        return _("already posted by batch #%(batch)s of %(day)s") % {
            "batch": first_id, "day": getattr(doc, "first_batch_on", "")}
    return _("already posted before, through the API or at the counter (sale %(sale)s)") % {"sale": doc.sale_id}
