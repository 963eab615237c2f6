"""/api/v1/opendata: the portal's own JSON API for what the CKAN API does not cover
(publishing and review, conditional-access applications, data requests, showcases, ratings,
comments, developer keys, usage statistics). Thin: parse, call one service or selector,
render. Who may is decided there; public reads have auth=None."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from digigov.kernel.principals import Principal, request_principal

from .models import AccessApplication, Comment, DataRequest, OpenDataset, Showcase
from .schemas import (
    AnswerIn,
    ApplicationIn,
    ApplicationOut,
    CommentIn,
    CommentOut,
    DataRequestIn,
    DataRequestOut,
    DataRequestPageOut,
    DatasetDetailOut,
    DatasetIn,
    DatasetPageOut,
    DatasetSummaryOut,
    DecisionIn,
    IssuedKeyOut,
    KeyIn,
    KeyOut,
    KeyUsageOut,
    ModerationIn,
    NoteIn,
    RatingIn,
    RatingOut,
    ReviewIn,
    ShowcaseIn,
    ShowcaseOut,
    StatsOut,
    UsageOut,
)
from .selectors.datasets import (
    applications_for_publisher,
    applications_of_applicant,
    data_requests,
    dataset_comments,
    dataset_published_get,
    dataset_rating,
    dataset_usage,
    datasets_with_details,
    developer_key_usage,
    developer_keys,
    review_queue,
    showcases,
    site_figures,
    theme_counts,
)
from .selectors.search import SearchQuery, dataset_search
from .services.applications import application_decide, application_submit, application_withdraw
from .services.community import (
    comment_moderate,
    comment_post,
    data_request_answer,
    data_request_submit,
    rating_set,
    showcase_moderate,
    showcase_submit,
)
from .services.keys import developer_key_create, developer_key_revoke
from .services.publishing import dataset_review, dataset_submit, dataset_withdraw

router = Router(tags=["开放广东"])
PAGE_SIZE = 20


def _principal(request: HttpRequest) -> Principal:
    return getattr(request, "principal", None) or request_principal(request)


def _summary(dataset: OpenDataset) -> dict:
    return {
        "id": dataset.pk,
        "name": dataset.name,
        "title": dataset.title,
        "organization_code": dataset.organization.code,
        "organization_name": dataset.organization.name,
        "theme": dataset.theme,
        "open_condition": dataset.open_condition,
        "state": dataset.state,
        "formats": [r.format for r in dataset.resources.all()],
        "tags": [t.name for t in dataset.tag_rows.all()],
        "view_count": dataset.view_count,
        "download_count": dataset.download_count,
        "modified_at": dataset.modified_at,
    }


def _detail(dataset: OpenDataset, principal: Principal) -> dict:
    rating = dataset_rating(dataset=dataset, principal=principal)
    return {
        **_summary(dataset),
        "notes": dataset.notes,
        "license_id": dataset.license_id,
        "update_frequency": dataset.update_frequency,
        "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end,
        "spatial": dataset.spatial,
        "fields": dataset.fields_spec,
        "resources": [
            {
                "id": str(r.pk),
                "name": r.name,
                "format": r.format,
                "datastore_active": r.datastore_id is not None,
            }
            for r in dataset.resources.all()
        ],
        "rating": RatingOut(average=rating.average, count=rating.count, mine=rating.mine),
    }


def _application(application: AccessApplication) -> dict:
    return {
        "id": application.pk,
        "dataset_name": application.dataset.name,
        "dataset_title": application.dataset.title,
        "applicant_label": application.applicant_label,
        "applicant_organization": application.applicant_organization,
        "purpose": application.purpose,
        "state": application.state,
        "reason": application.reason,
        "valid_until": application.valid_until,
        "created_at": application.created_at,
        "decided_at": application.decided_at,
    }


def _comment(comment: Comment, dataset_name: str) -> dict:
    return {
        "id": comment.pk,
        "dataset_name": dataset_name,
        "author_label": comment.author_label,
        "text": comment.text,
        "state": comment.state,
        "created_at": comment.created_at,
    }


def _request(row: DataRequest) -> dict:
    return {
        "id": row.pk,
        "title": row.title,
        "description": row.description,
        "requester_label": row.requester_label,
        "organization_name": row.organization.name if row.organization else "",
        "state": row.state,
        "answer": row.answer,
        "answered_at": row.answered_at,
        "dataset_name": row.dataset.name if row.dataset else "",
        "created_at": row.created_at,
    }


def _showcase(showcase: Showcase) -> dict:
    return {
        "id": showcase.pk,
        "title": showcase.title,
        "description": showcase.description,
        "url": showcase.url,
        "author_label": showcase.author_label,
        "state": showcase.state,
        "dataset_names": [d.name for d in showcase.datasets.all()],
        "created_at": showcase.created_at,
    }


# --- datasets -----------------------------------------------------------------------------


@router.get(
    "/datasets",
    response=DatasetPageOut,
    auth=None,
    summary="检索开放数据集（中文全文、主题、部门）",
)
def dataset_list(
    request: HttpRequest, q: str = "", theme: str = "", organization: str = "", page: int = 1
):
    filters = {}
    if theme:
        filters["groups"] = [theme]
    if organization:
        filters["organization"] = [organization]
    page = max(1, min(page, 1000))
    result = dataset_search(
        query=SearchQuery(
            text=q[:200], filters=filters, rows=PAGE_SIZE, start=(page - 1) * PAGE_SIZE
        )
    )
    return {
        "count": result.count,
        "page": page,
        "page_size": PAGE_SIZE,
        "results": [_summary(d) for d in result.datasets],
    }


@router.get("/datasets/{name}", response=DatasetDetailOut, auth=None, summary="一个开放数据集")
def dataset_get(request: HttpRequest, name: str):
    return _detail(dataset_published_get(key=name), _principal(request))


@router.get(
    "/datasets/{name}/usage",
    response=UsageOut,
    auth=None,
    summary="数据集的浏览、下载和接口调用统计（按日）",
)
def dataset_usage_get(request: HttpRequest, name: str, days: int = 30):
    return dataset_usage(dataset=dataset_published_get(key=name), days=days)


@router.post(
    "/datasets", response={201: DatasetSummaryOut}, summary="申请开放本单位数据资源（提交审核）"
)
def dataset_create(request: HttpRequest, body: DatasetIn):
    values = body.dict()
    created = dataset_submit(
        principal=request.principal,
        resource_code=values.pop("resource_code"),
        name=values.pop("name"),
        fields=values.pop("fields"),
        aggregate_by=values.pop("aggregate_by"),
        values=values,
    )
    return Status(201, _summary(datasets_with_details(ids=[created.pk])[0]))


@router.post(
    "/datasets/{dataset_id}/review",
    response=DatasetSummaryOut,
    summary="审核开放数据集（数据管理机构）",
)
def dataset_review_post(request: HttpRequest, dataset_id: str, body: ReviewIn):
    dataset = dataset_review(
        principal=request.principal, dataset_id=dataset_id, approve=body.approve, note=body.note
    )
    return _summary(datasets_with_details(ids=[dataset.pk])[0])


@router.post(
    "/datasets/{dataset_id}/withdraw", response=DatasetSummaryOut, summary="下线开放数据集"
)
def dataset_withdraw_post(request: HttpRequest, dataset_id: str, body: NoteIn):
    dataset = dataset_withdraw(principal=request.principal, dataset_id=dataset_id, note=body.note)
    return _summary(datasets_with_details(ids=[dataset.pk])[0])


@router.get("/review-queue", response=list[DatasetSummaryOut], summary="待审核的开放数据集")
def review_queue_get(request: HttpRequest):
    rows = review_queue(principal=request.principal)
    return [_summary(d) for d in datasets_with_details(ids=[r.pk for r in rows])]


# --- conditional access -------------------------------------------------------------------


@router.post(
    "/datasets/{name}/applications", response={201: ApplicationOut}, summary="申请有条件开放数据"
)
def application_create(request: HttpRequest, name: str, body: ApplicationIn):
    application = application_submit(principal=request.principal, dataset_name=name, **body.dict())
    return Status(201, _application(application))


@router.get("/applications", response=list[ApplicationOut], summary="我的开放数据申请")
def application_list(request: HttpRequest):
    return [_application(a) for a in applications_of_applicant(principal=request.principal)]


@router.get("/applications/inbox", response=list[ApplicationOut], summary="待本单位审批的开放申请")
def application_inbox(request: HttpRequest, state: str = "submitted"):
    return [
        _application(a)
        for a in applications_for_publisher(principal=request.principal, state=state)
    ]


@router.post(
    "/applications/{application_id}/decision",
    response=ApplicationOut,
    summary="审批开放申请（发布单位）",
)
def application_decision(request: HttpRequest, application_id: int, body: DecisionIn):
    return _application(
        application_decide(
            principal=request.principal, application_id=application_id, **body.dict()
        )
    )


@router.post(
    "/applications/{application_id}/withdraw", response=ApplicationOut, summary="撤回开放申请"
)
def application_withdraw_post(request: HttpRequest, application_id: int):
    return _application(
        application_withdraw(principal=request.principal, application_id=application_id)
    )


# --- ratings and comments -----------------------------------------------------------------


@router.post("/datasets/{name}/rating", response=RatingOut, summary="为数据集评分（1-5）")
def rating_post(request: HttpRequest, name: str, body: RatingIn):
    rating_set(principal=request.principal, dataset_name=name, score=body.score)
    summary = dataset_rating(dataset=dataset_published_get(key=name), principal=request.principal)
    return RatingOut(average=summary.average, count=summary.count, mine=summary.mine)


@router.get(
    "/datasets/{name}/comments",
    response=list[CommentOut],
    auth=None,
    summary="数据集的评论（已审核）",
)
def comment_list(request: HttpRequest, name: str):
    dataset = dataset_published_get(key=name)
    return [_comment(c, dataset.name) for c in dataset_comments(dataset=dataset)]


@router.post(
    "/datasets/{name}/comments", response={201: CommentOut}, summary="发表评论（审核后显示）"
)
def comment_create(request: HttpRequest, name: str, body: CommentIn):
    return Status(
        201,
        _comment(
            comment_post(principal=request.principal, dataset_name=name, text=body.text), name
        ),
    )


@router.post("/comments/{comment_id}/moderation", response=CommentOut, summary="审核评论")
def comment_moderation(request: HttpRequest, comment_id: int, body: ModerationIn):
    comment = comment_moderate(
        principal=request.principal, comment_id=comment_id, approve=body.approve
    )
    return _comment(comment, comment.dataset.name)


# --- data requests and showcases ------------------------------------------------------------


@router.get("/requests", response=DataRequestPageOut, auth=None, summary="数据需求及答复")
def request_list(request: HttpRequest, page: int = 1, state: str = "", q: str = ""):
    rows, total = data_requests(page=page, page_size=PAGE_SIZE, state=state, query=q)
    return {"count": total, "page": max(1, page), "results": [_request(r) for r in rows]}


@router.post("/requests", response={201: DataRequestOut}, summary="提出数据需求")
def request_create(request: HttpRequest, body: DataRequestIn):
    return Status(201, _request(data_request_submit(principal=request.principal, **body.dict())))


@router.post(
    "/requests/{request_id}/answer", response=DataRequestOut, summary="答复数据需求（数据管理机构）"
)
def request_answer(request: HttpRequest, request_id: int, body: AnswerIn):
    return _request(
        data_request_answer(principal=request.principal, request_id=request_id, **body.dict())
    )


@router.get("/showcases", response=list[ShowcaseOut], auth=None, summary="数据应用")
def showcase_list(request: HttpRequest):
    return [_showcase(s) for s in showcases()]


@router.post("/showcases", response={201: ShowcaseOut}, summary="提交数据应用（审核后展示）")
def showcase_create(request: HttpRequest, body: ShowcaseIn):
    return Status(201, _showcase(showcase_submit(principal=request.principal, **body.dict())))


@router.post("/showcases/{showcase_id}/moderation", response=ShowcaseOut, summary="审核数据应用")
def showcase_moderation(request: HttpRequest, showcase_id: int, body: ModerationIn):
    return _showcase(
        showcase_moderate(
            principal=request.principal, showcase_id=showcase_id, approve=body.approve
        )
    )


# --- developer keys and figures --------------------------------------------------------------


@router.get("/keys", response=list[KeyOut], summary="我的开发者密钥及用量")
def key_list(request: HttpRequest):
    return developer_keys(principal=request.principal)


@router.post("/keys", response={201: IssuedKeyOut}, summary="注册开发者密钥（密钥仅显示一次）")
def key_create(request: HttpRequest, body: KeyIn):
    issued = developer_key_create(
        principal=request.principal, name=body.name, daily_quota=body.daily_quota
    )
    return Status(
        201,
        {
            "id": issued.key.pk,
            "name": issued.key.name,
            "daily_quota": issued.key.daily_quota,
            "secret": issued.secret,
        },
    )


@router.post("/keys/{key_id}/revoke", response={204: None}, summary="停用开发者密钥")
def key_revoke(request: HttpRequest, key_id: int):
    developer_key_revoke(principal=request.principal, key_id=key_id)
    return Status(204, None)


@router.get("/keys/{key_id}/usage", response=list[KeyUsageOut], summary="密钥按日用量")
def key_usage(request: HttpRequest, key_id: int, days: int = 30):
    rows = developer_key_usage(principal=request.principal, key_id=key_id, days=days)
    return [{"day": d, "calls": c, "refused": r} for d, c, r in rows]


@router.get("/stats", response=StatsOut, auth=None, summary="开放广东总体数字与各主题数据集数")
def stats(request: HttpRequest):
    figures = site_figures()
    return {**figures.__dict__, "themes": [t.__dict__ for t in theme_counts()]}
