"""Data requests (数据需求), showcases (数据应用), ratings and comments: people take part,
the data bureau answers requests and moderates what others will read."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_as
from digigov.kernel.errors import Conflict, NotFound, ValidationFailed
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import Comment, DataRequest, OpenDataset, Rating, Showcase
from ..selectors.access import may_answer_requests, may_moderate
from .common import deny, require_person


def _text(value, name: str, label: str, low: int, high: int, errors: dict) -> str:
    text = str(value or "").strip()
    if not low <= len(text) <= high:
        errors[name] = [f"{label}应为 {low} 至 {high} 个字符"]
    return text


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)


def _published(name: str) -> OpenDataset:
    dataset = OpenDataset.objects.filter(name=str(name or "")[:100], state="published").first()
    if dataset is None:
        raise NotFound("数据集不存在", code="dataset_unknown")
    return dataset


def data_request_submit(
    *, principal: Principal, title: str, description: str, organization_id: int | None = None
) -> DataRequest:
    require_person(principal)
    errors: dict = {}
    title = _text(title, "title", "需求名称", 2, 200, errors)
    description = _text(description, "description", "需求说明", 5, 5000, errors)
    if organization_id and not Organization.objects.filter(pk=organization_id).exists():
        errors["organization_id"] = ["单位不存在"]
    _raise(errors)
    with transaction.atomic():
        request = DataRequest.objects.create(
            title=title,
            description=description,
            requester=principal.actor,
            requester_label=principal.label[:160],
            organization_id=organization_id or None,
        )
        audit_as(
            principal,
            action="opendata.request.submit",
            object_type="opendata.request",
            object_id=request.pk,
        )
    return request


def data_request_answer(
    *,
    principal: Principal,
    request_id: int,
    answer: str,
    state: str = DataRequest.State.ANSWERED,
    dataset_name: str = "",
) -> DataRequest:
    if not may_answer_requests(principal):
        raise deny(
            principal,
            action="opendata.request.answer",
            object_type="opendata.request",
            object_id=request_id,
            message="只有数据管理机构可以答复数据需求",
            code="opendata/not_bureau",
        )
    errors: dict = {}
    answer = _text(answer, "answer", "答复", 2, 5000, errors)
    if state not in (
        DataRequest.State.ANSWERED,
        DataRequest.State.FULFILLED,
        DataRequest.State.DECLINED,
    ):
        errors["state"] = ["状态不正确"]
    dataset = None
    if dataset_name:
        dataset = OpenDataset.objects.filter(name=dataset_name, state="published").first()
        if dataset is None:
            errors["dataset_name"] = ["数据集不存在"]
    _raise(errors)
    with transaction.atomic():
        request = DataRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise NotFound("数据需求不存在", code="request_unknown")
        if request.state != DataRequest.State.OPEN:
            raise Conflict("该需求已答复", code="request_answered")
        request.answer, request.state, request.dataset = answer, state, dataset
        request.answered_by, request.answered_at = principal.actor, timezone.now()
        request.save()
        audit_as(
            principal,
            action="opendata.request.answer",
            object_type="opendata.request",
            object_id=request.pk,
            detail={"state": state, "dataset": dataset_name},
        )
    return request


def showcase_submit(
    *, principal: Principal, title: str, description: str, url: str = "", dataset_names=()
) -> Showcase:
    require_person(principal)
    errors: dict = {}
    title = _text(title, "title", "应用名称", 2, 200, errors)
    description = _text(description, "description", "应用简介", 5, 5000, errors)
    url = str(url or "").strip()
    if (url and not (url.startswith("https://") or url.startswith("http://"))) or len(url) > 200:
        errors["url"] = ["访问地址应以 http:// 或 https:// 开头"]
    names = list(dict.fromkeys(dataset_names or []))[:20]
    datasets = list(OpenDataset.objects.filter(name__in=names, state="published"))
    if len(datasets) != len(names):
        errors["dataset_names"] = ["所用数据集不存在"]
    _raise(errors)
    with transaction.atomic():
        showcase = Showcase.objects.create(
            title=title,
            description=description,
            url=url,
            author=principal.actor,
            author_label=principal.label[:160],
        )
        showcase.datasets.set(datasets)
        audit_as(
            principal,
            action="opendata.showcase.submit",
            object_type="opendata.showcase",
            object_id=showcase.pk,
        )
    return showcase


def _moderate(
    *, principal: Principal, model, pk: int, approve: bool, name: str, label: str, approved
):
    """Approve or reject one community contribution (an app, a comment): moderators only."""
    action, object_type = f"opendata.{name}.moderate", f"opendata.{name}"
    if not may_moderate(principal):
        raise deny(
            principal,
            action=action,
            object_type=object_type,
            object_id=pk,
            message=f"只有审核人员可以审核{label}",
            code="opendata/not_moderator",
        )
    with transaction.atomic():
        item = model.objects.select_for_update().filter(pk=pk).first()
        if item is None:
            raise NotFound(f"{label}不存在", code=f"{name}_unknown")
        item.state = approved if approve else model.State.REJECTED
        item.moderated_by = principal.actor
        item.save(update_fields=["state", "moderated_by"])
        audit_as(
            principal,
            action=action,
            object_type=object_type,
            object_id=item.pk,
            detail={"approve": bool(approve)},
        )
    return item


def showcase_moderate(*, principal: Principal, showcase_id: int, approve: bool) -> Showcase:
    return _moderate(
        principal=principal,
        model=Showcase,
        pk=showcase_id,
        approve=approve,
        name="showcase",
        label="数据应用",
        approved=Showcase.State.PUBLISHED,
    )


def rating_set(*, principal: Principal, dataset_name: str, score: int) -> Rating:
    """One rating (1-5) per person and dataset; rating again replaces it."""
    require_person(principal)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed("评分应为 1 至 5", fields={"score": ["评分应为 1 至 5"]})
    dataset = _published(dataset_name)
    with transaction.atomic():
        rating, _ = Rating.objects.update_or_create(
            dataset=dataset, rater=principal.actor, defaults={"score": score}
        )
        audit_as(
            principal,
            action="opendata.rating.set",
            object_type="opendata.dataset",
            object_id=dataset.pk,
            detail={"score": score},
        )
    return rating


def comment_post(*, principal: Principal, dataset_name: str, text: str) -> Comment:
    """A comment waits for moderation before others see it."""
    require_person(principal)
    errors: dict = {}
    text = _text(text, "text", "评论", 2, 1000, errors)
    _raise(errors)
    dataset = _published(dataset_name)
    with transaction.atomic():
        comment = Comment.objects.create(
            dataset=dataset, author=principal.actor, author_label=principal.label[:160], text=text
        )
        audit_as(
            principal,
            action="opendata.comment.post",
            object_type="opendata.comment",
            object_id=comment.pk,
        )
    return comment


def comment_moderate(*, principal: Principal, comment_id: int, approve: bool) -> Comment:
    return _moderate(
        principal=principal,
        model=Comment,
        pk=comment_id,
        approve=approve,
        name="comment",
        label="评论",
        approved=Comment.State.APPROVED,
    )
