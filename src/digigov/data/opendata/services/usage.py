"""Usage per dataset and day (views, downloads, API calls): what publishers and users keep
asking for, kept as rows per day beside the running totals."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import OpenDataset, UsageDay


def usage_record(*, dataset_id, views: int = 0, downloads: int = 0, api_calls: int = 0) -> None:
    today = timezone.localdate()
    changes = {
        name: F(name) + amount
        for name, amount in (("views", views), ("downloads", downloads), ("api_calls", api_calls))
        if amount
    }
    if not changes:
        return
    with transaction.atomic():
        if not UsageDay.objects.filter(dataset_id=dataset_id, day=today).update(**changes):
            try:
                with transaction.atomic():
                    UsageDay.objects.create(
                        dataset_id=dataset_id,
                        day=today,
                        views=views,
                        downloads=downloads,
                        api_calls=api_calls,
                    )
            except IntegrityError:
                UsageDay.objects.filter(dataset_id=dataset_id, day=today).update(**changes)
        totals = {}
        if views:
            totals["view_count"] = F("view_count") + views
        if downloads:
            totals["download_count"] = F("download_count") + downloads
        if totals:
            # queryset.update leaves modified_at (auto_now) alone: usage is not a change
            OpenDataset.objects.filter(pk=dataset_id).update(**totals)
