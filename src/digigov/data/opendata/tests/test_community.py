import pytest

from digigov.kernel.errors import Conflict, PermissionDenied, Unauthenticated, ValidationFailed

from ..models import Comment, DataRequest, Rating, Showcase
from ..selectors.datasets import (
    data_requests,
    dataset_comments,
    dataset_rating,
    dataset_usage,
    showcases,
    site_figures,
    theme_counts,
)
from ..services.community import (
    comment_moderate,
    comment_post,
    data_request_answer,
    data_request_submit,
    rating_set,
    showcase_moderate,
    showcase_submit,
)
from ..services.usage import usage_record
from .factories import ANONYMOUS, citizen, publisher, reviewer

pytestmark = pytest.mark.django_db


def test_ratings_and_comments(published):
    rating_set(principal=citizen(), dataset_name=published.name, score=4)
    rating_set(principal=citizen(), dataset_name=published.name, score=5)  # replaces
    rating_set(principal=citizen("102"), dataset_name=published.name, score=3)
    summary = dataset_rating(dataset=published, principal=citizen())
    assert (summary.average, summary.count, summary.mine) == (4.0, 2, 5)
    for bad in (0, 6, "5", True):
        with pytest.raises(ValidationFailed):
            rating_set(principal=citizen(), dataset_name=published.name, score=bad)
    with pytest.raises(Unauthenticated):
        rating_set(principal=ANONYMOUS, dataset_name=published.name, score=3)
    assert Rating.objects.count() == 2
    comment = comment_post(
        principal=citizen(), dataset_name=published.name, text="数据很有用，希望每月更新"
    )
    assert dataset_comments(dataset=published) == []
    with pytest.raises(PermissionDenied):
        comment_moderate(principal=publisher(), comment_id=comment.pk, approve=True)
    assert Comment.objects.get().state == "pending"
    comment_moderate(principal=reviewer(), comment_id=comment.pk, approve=True)
    assert [c.pk for c in dataset_comments(dataset=published)] == [comment.pk]


def test_data_request_answered_by_bureau(published):
    request = data_request_submit(
        principal=citizen(), title="公交线路数据", description="希望开放公交线路和站点数据"
    )
    with pytest.raises(PermissionDenied):
        data_request_answer(principal=publisher(), request_id=request.pk, answer="好的")
    assert DataRequest.objects.get().state == "open"
    data_request_answer(
        principal=reviewer(),
        request_id=request.pk,
        answer="已开放",
        state="fulfilled",
        dataset_name=published.name,
    )
    with pytest.raises(Conflict):
        data_request_answer(principal=reviewer(), request_id=request.pk, answer="再次答复")
    rows, total = data_requests()
    assert total == 1 and rows[0].dataset_id == published.pk
    with pytest.raises(ValidationFailed):
        data_request_submit(principal=citizen(), title="", description="")


def test_showcase_moderated(published):
    showcase = showcase_submit(
        principal=citizen(),
        title="便利店地图",
        description="在地图上查找附近便利店",
        url="https://example.org",
        dataset_names=[published.name],
    )
    assert showcases() == []
    with pytest.raises(PermissionDenied):
        showcase_moderate(principal=citizen(), showcase_id=showcase.pk, approve=True)
    showcase_moderate(principal=reviewer(), showcase_id=showcase.pk, approve=True)
    assert [s.pk for s in showcases()] == [showcase.pk]
    with pytest.raises(ValidationFailed):
        showcase_submit(
            principal=citizen(), title="x应用", description="简介简介", url="javascript:alert(1)"
        )
    assert Showcase.objects.count() == 1


def test_usage_per_day_and_figures(published):
    usage_record(dataset_id=published.pk, views=2)
    usage_record(dataset_id=published.pk, views=1, downloads=1, api_calls=4)
    stats = dataset_usage(dataset=type(published).objects.get(pk=published.pk), days=7)
    assert (stats.views_total, stats.downloads_total, stats.api_calls_total) == (3, 1, 4)
    assert len(stats.days) == 7 and stats.days[-1].views == 3
    figures = site_figures()
    assert figures.datasets == 1 and figures.resources == 3 and figures.views == 3
    themes = {t.name: t.count for t in theme_counts()}
    assert themes["market"] == 1 and themes["health"] == 0
