from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import BeforeValidator

from sasom.core.audit import Actor
from sasom.core.errors import E_INVALID_INPUT, DomainError, NotFound
from sasom.core.inputs import body_none, form_known, iso_text_only
from sasom.integrations.auth import api_auth, api_principal, api_require
from sasom.integrations.batch import DOCUMENT_TYPES
from sasom.integrations.batch_list import batch_unposted, unposted_code, unposted_reason
from sasom.integrations.errors import E_BATCH_NOT_FOUND  # noqa: F401  (codes live in errors.py)
from sasom.integrations.models import BatchDocument, SaleBatch
from sasom.integrations.services import batch_calculate_start, batch_plans_parse, batch_upload

router = Router(tags=["integration"], auth=api_auth)


class WhoAmI(Schema):
    organization_id: int
    key: str | None
    label: str
    branch_id: int | None
    terminal_id: int | None
    can_manage: bool


@router.get("/whoami", response=WhoAmI, summary="Check a key: who the API thinks you are")
def whoami(request: HttpRequest) -> WhoAmI:
    p = api_principal(request)
    return WhoAmI(
        organization_id=p.organization_id, key=None if p.id is None else p.label, label=p.label,
        branch_id=p.branch_id, terminal_id=p.terminal_id, can_manage=p.can_manage,
    )


# ------------------------------------------------------------------------------ day-end batches



def _form_bool(value: object) -> object:
    """A boolean form field is written ``true`` or ``false`` (OpenAPI's form encoding of a
    boolean); "0", "yes", "on" and the like are refused rather than guessed."""
    if isinstance(value, str):
        if value.strip().lower() not in ("true", "false"):
            raise ValueError("expected true or false")
        return value.strip().lower() == "true"
    return value


FormBool = Annotated[bool, BeforeValidator(_form_bool)]
IsoDate = Annotated[dt.date, BeforeValidator(iso_text_only)]

# ``document_type=plan`` pairs (batch_plans_parse): a known document type, a plan of 1-40
# characters without ",", "=" or line breaks; pairs separated by commas or new lines.
_PAIR = rf"[ \t]*(?:{'|'.join(DOCUMENT_TYPES)})[ \t]*=[ \t]*[^,=\s](?:[^,=\r\n]{{0,38}}[^,=\s])?[ \t]*"
PLANS_PATTERN = rf"^\s*(?:{_PAIR}(?:(?:,|\r?\n)\s*{_PAIR})*)?[\s,]*$"
PLANS_HELP = "document_type=plan pairs, comma- or newline-separated, e.g. wholesale_delivery=WHOLESALE"


class BatchOut(Schema):
    id: int
    business_on: dt.date
    plans: dict[str, str]
    file_name: str
    format: str
    status: str
    documents_total: int
    documents_posted: int
    documents_duplicate: int
    documents_rejected: int
    points_posted: int
    progress_percent: int
    error: str

    @staticmethod
    def of(batch: SaleBatch) -> BatchOut:
        return BatchOut(
            id=batch.pk, business_on=batch.business_on, plans=batch.plans, file_name=batch.file_name, format=batch.format,
            status=batch.status, documents_total=batch.documents_total, documents_posted=batch.documents_posted,
            documents_duplicate=batch.documents_duplicate, documents_rejected=batch.documents_rejected,
            points_posted=batch.points_posted, progress_percent=batch.progress_percent, error=batch.error,
        )


class RejectedOut(Schema):
    row: int
    branch: str
    document_type: str
    document_number: str
    status: Literal["rejected", "duplicate"] = Field(
        ..., description="rejected (see code and reason), or duplicate: posted before (code already_posted)")
    code: str
    reason: str
    first_batch: int | None = Field(
        None, description="a duplicate: the batch that posted it first (null: the API or the counter did)")


class RejectedPage(Schema):
    count: int
    items: list[RejectedOut]


class PageQuery(Schema):
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


def _batch(request: HttpRequest, batch_id: int) -> SaleBatch:
    principal = api_require(request, "batches.manage")
    batch = SaleBatch.objects.filter(pk=batch_id, organization_id=principal.organization_id).first()
    if batch is None:
        raise NotFound(E_BATCH_NOT_FOUND, "No such batch.", field="id")
    return batch


UPLOAD_FIELDS = ("file", "business_on", "format", "calculate", "plans")


@router.post(
    "/batches", response={202: BatchOut}, summary="Upload a day-end file of sale documents (CSV or JSON Lines)",
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {"additionalProperties": False}}}}},
)
def batch_create(
    request: HttpRequest,
    file: File[UploadedFile],
    business_on: Form[IsoDate],
    format: Form[Literal["csv", "jsonl"]] = "csv",
    calculate: FormBool = Form(True, description="post the points once staged (true or false)"),  # noqa: B008
    plans: str = Form("", pattern=PLANS_PATTERN, max_length=2000, description=PLANS_HELP),
) -> Status[BatchOut]:
    """``plans``: the promotion plan per document type as ``document_type=plan`` pairs separated
    by commas or new lines, e.g. ``wholesale_delivery=WHOLESALE,tax_invoice=B2B``; a document's
    own ``plan`` column wins. Anything else (a JSON object, an unknown document type, an empty or
    overlong plan) is refused with 422 ``invalid_input`` naming ``plans``; a field not listed here,
    naming it."""
    form_known(request, UPLOAD_FIELDS)
    principal = api_require(request, "batches.manage")
    if request.POST.get("format", "csv") not in ("csv", "jsonl"):
        # django-ninja takes an empty form field for a missing one (and its default); the schema
        # says csv or jsonl, so an empty format is refused like any other value
        raise DomainError(E_INVALID_INPUT, "format must be csv or jsonl.", field="format", status=422)
    batch = batch_upload(
        organization_id=principal.organization_id, business_on=business_on, fmt=format, uploaded=file,
        actor=Actor.from_request(request), calculate=calculate, plans=batch_plans_parse(plans[:2000]),
    )
    return Status(202, BatchOut.of(batch))


@router.get("/batches/{batch_id}", response=BatchOut, summary="A batch's status and progress")
def batch_read(request: HttpRequest, batch_id: int) -> BatchOut:
    return BatchOut.of(_batch(request, batch_id))


@router.post("/batches/{batch_id}/calculate", response={202: BatchOut}, summary="Calculate (or resume) the points of a batch")
def batch_calculate_op(request: HttpRequest, batch_id: int) -> Status[BatchOut]:
    body_none(request)
    batch = _batch(request, batch_id)
    batch_calculate_start(batch=batch, actor=Actor.from_request(request))
    return Status(202, BatchOut.of(batch))


@router.get("/batches/{batch_id}/rejected", response=RejectedPage,
            summary="Documents not posted: rejected ones with their reasons, duplicates with the batch that posted them")
def batch_rejected(request: HttpRequest, batch_id: int, page: Query[PageQuery]) -> RejectedPage:
    batch = _batch(request, batch_id)
    rows = batch_unposted(batch)
    with translation.override("en"):  # reasons as the API gives every message
        return RejectedPage(
            count=rows.count(),
            items=[
                RejectedOut(row=d.row_no, branch=d.branch_code, document_type=d.document_type,
                            document_number=d.document_number,
                            status="duplicate" if d.status == BatchDocument.Status.DUPLICATE else "rejected",
                            code=unposted_code(d),
                            reason=unposted_reason(d), first_batch=getattr(d, "first_batch_id", None))
                for d in rows[page.offset : page.offset + page.limit]
            ],
        )
