"""CKAN 2.10 result shapes (package, resource, organization, group, tag dicts) built from
our datasets; pure functions over rows already loaded (no queries of their own beyond
what `with_details` prefetched)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from digigov.kernel.organizations.models import Organization

from ..models import DatasetResource, Frequency, License, OpenDataset, Theme

CKAN_VERSION = "2.10.4"
LICENSE_URLS = {
    License.GD_OPEN: "",
    License.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    License.ODC_BY: "https://opendatacommons.org/licenses/by/",
    License.CC_ZERO: "https://creativecommons.org/publicdomain/zero/1.0/",
}
MIMETYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
THEME_LABELS = dict(Theme.choices)
LICENSE_LABELS = dict(License.choices)
FREQUENCY_LABELS = dict(Frequency.choices)


def ckan_time(moment: dt.datetime | None) -> str | None:
    """CKAN writes naive UTC timestamps with microseconds."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def organization_dict(organization: Organization, *, package_count: int | None = None) -> dict:
    out = {
        "id": str(organization.pk),
        "name": organization.code,
        "title": organization.name,
        "display_name": organization.name,
        "type": "organization",
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "created": None,
        "is_organization": True,
        "approval_status": "approved",
        "state": "active" if organization.is_active else "deleted",
        "extras": [{"key": "region_code", "value": organization.region_id}],
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def group_dict(theme: str, *, package_count: int | None = None) -> dict:
    label = THEME_LABELS.get(theme, theme)
    out = {
        "id": theme,
        "name": theme,
        "title": label,
        "display_name": label,
        "description": "",
        "image_display_url": "",
        "type": "group",
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def resource_dict(resource: DatasetResource, *, dataset: OpenDataset, base_url: str) -> dict:
    return {
        "id": str(resource.pk),
        "package_id": str(dataset.pk),
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "mimetype": MIMETYPES.get(resource.format),
        "url": f"{base_url}/opendata/resource/{resource.pk}/download",
        "url_type": "datastore",
        "datastore_active": resource.datastore_id is not None,
        "position": resource.position,
        "state": "active",
        "created": ckan_time(resource.created_at),
        "last_modified": ckan_time(resource.modified_at),
        "metadata_modified": ckan_time(resource.modified_at),
        "size": None,
        "hash": "",
        "cache_url": None,
        "resource_type": None,
    }


def package_dict(dataset: OpenDataset, *, base_url: str) -> dict[str, Any]:
    """The package dict of a dataset loaded by `with_details`."""
    tags = list(dataset.tag_rows.all())
    resources = list(dataset.resources.all())
    organization = dataset.organization
    extras = [
        ("update_frequency", dataset.update_frequency),
        ("update_frequency_label", FREQUENCY_LABELS.get(dataset.update_frequency, "")),
        ("open_condition", dataset.open_condition),
        ("publisher_region", dataset.region_code),
        ("spatial_regions", ",".join(dataset.spatial)),
        ("temporal_start", dataset.temporal_start.isoformat() if dataset.temporal_start else ""),
        ("temporal_end", dataset.temporal_end.isoformat() if dataset.temporal_end else ""),
        ("views_total", str(dataset.view_count)),
        ("downloads_total", str(dataset.download_count)),
    ]
    state = {"published": "active", "withdrawn": "deleted"}.get(dataset.state, "draft")
    return {
        "id": str(dataset.pk),
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.notes,
        "type": "dataset",
        "state": state,
        "private": False,
        "author": organization.name,
        "author_email": None,
        "maintainer": organization.name,
        "maintainer_email": None,
        "version": None,
        "url": f"{base_url}/opendata/dataset/{dataset.name}.jsonld",
        "license_id": dataset.license_id,
        "license_title": LICENSE_LABELS.get(dataset.license_id, dataset.license_id),
        "license_url": LICENSE_URLS.get(dataset.license_id, ""),
        "isopen": dataset.open_condition == OpenDataset.OpenCondition.UNCONDITIONAL,
        "metadata_created": ckan_time(dataset.created_at),
        "metadata_modified": ckan_time(dataset.modified_at),
        "creator_user_id": None,
        "owner_org": str(organization.pk),
        "organization": organization_dict(organization),
        "groups": [group_dict(dataset.theme)],
        "tags": [
            {
                "id": str(tag.pk),
                "name": tag.name,
                "display_name": tag.name,
                "state": "active",
                "vocabulary_id": None,
            }
            for tag in tags
        ],
        "resources": [resource_dict(r, dataset=dataset, base_url=base_url) for r in resources],
        "num_resources": len(resources),
        "num_tags": len(tags),
        "extras": [{"key": key, "value": value} for key, value in extras],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
