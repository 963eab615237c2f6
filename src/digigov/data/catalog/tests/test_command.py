"""`digigov catalog_dataset_load`: the operator's file load, its report and refusals."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from ..models import DataResource
from . import factories as f

pytestmark = pytest.mark.django_db


def test_load_and_refuse(orgs, tmp_path, capsys):
    resource = f.draft()
    good = tmp_path / "shops.csv"
    good.write_text("shop_id,staff_count\nC1,1\nC2,x\n", encoding="utf-8-sig")
    with pytest.raises(CommandError, match="未载入"):
        call_command("catalog_dataset_load", resource.code, str(good))
    assert DataResource.objects.get(pk=resource.pk).row_count == 0
    call_command("catalog_dataset_load", resource.code, str(good), "--mode", "skip_rejected")
    assert "载入 1 行" in capsys.readouterr().out
    assert DataResource.objects.get(pk=resource.pk).row_count == 1
    with pytest.raises(CommandError, match="不存在"):
        call_command("catalog_dataset_load", "NOPE", str(good))
