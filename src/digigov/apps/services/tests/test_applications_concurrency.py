"""A double click under real concurrency (PostgreSQL): one case, whatever the timing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from ..models import Application, IdempotencyKey
from ..services.applications import application_submit
from .test_applications_support import citizen_make, key, person_item, principal_of, world_make

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers (IMMEDIATE)"
    ),
]


def test_concurrent_same_key_files_one_case(monkeypatch):
    from ..services import applications as module

    monkeypatch.setattr(module, "_dispatch", lambda **_: None)
    world = world_make()
    item = person_item()
    principal = principal_of(citizen_make("apply01", world.people[0]))
    same = key()
    barrier = threading.Barrier(6)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def submit():
        try:
            barrier.wait()
            case = application_submit(
                principal=principal,
                item_code=item.code,
                form_data={"phone": "13912345678"},
                idempotency_key=same,
            )
            numbers.append(case.number)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(set(numbers)) == 1 and len(numbers) == 6
    assert Application.objects.count() == 1
    assert IdempotencyKey.objects.filter(key=same).count() == 1
