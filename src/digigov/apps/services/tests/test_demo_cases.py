"""The demo cases seed step: real cases filed through the services by the demo accounts."""

import io

import pytest
from django.core.management import call_command

from ..models import Application, CaseTask, Rating, Rectification

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed", "--demo", "--people", "60", "--entities", "8", stdout=out)
    return out.getvalue()


def test_demo_cases_are_filed_rated_and_waiting_in_the_inbox():
    assert "演示办件" in _seed()
    instant = Application.objects.filter(approval_mode="instant")
    assert instant.count() == 4
    assert all(case.is_closed and hasattr(case, "instant_decision") for case in instant)
    assert sorted(Rating.objects.values_list("grade", flat=True)) == [2, 5]
    assert Rectification.objects.get().status == "open"  # the bad rating's task
    restaurant = Application.objects.get(approval_mode="workflow")
    assert restaurant.applicant_kind == "entity"
    task = CaseTask.objects.get(application=restaurant, status="open")
    assert task.organization.code == "440100-scjg"

    before = Application.objects.count()
    assert "演示办件：已存在，跳过" in _seed()
    assert Application.objects.count() == before
