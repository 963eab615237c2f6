"""`digigov quality_run`: by resource code or --all; bad arguments and unknown codes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ..models import QualityRun
from ..services.demo import CODE, quality_demo_seed

pytestmark = pytest.mark.django_db


def test_runs_named_resources_and_all(world):
    quality_demo_seed()
    out = io.StringIO()
    call_command("quality_run", "--resource", CODE, stdout=out)
    assert f"{CODE}: 检查 40 行" in out.getvalue()
    call_command("quality_run", "--all", stdout=io.StringIO())
    assert QualityRun.objects.filter(trigger="scheduled").count() == 2


def test_bad_arguments_and_unknown_codes_fail_without_runs(world):
    with pytest.raises(CommandError):
        call_command("quality_run", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("quality_run", "--all", "--resource", "X", stdout=io.StringIO())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("quality_run", "--resource", "NO-SUCH", stdout=io.StringIO(), stderr=err)
    assert "NO-SUCH: 跳过" in err.getvalue()
    assert not QualityRun.objects.exists()
