"""Fixtures of the 城市事件 tests: the world (regions, organizations, types, grids) and a
principal for each role, made through the services."""

from __future__ import annotations

import pytest

from digigov.apps.cityevents.testing import staff_principal, world_make


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.DIGIGOV_UPLOAD_ROOT = tmp_path / "uploads"


@pytest.fixture
def world(db):
    return world_make()


@pytest.fixture
def dispatcher(world):
    return staff_principal("th_dispatch", "440106-zsj", ("城市事件指挥调度人员",))


@pytest.fixture
def handler(world):
    # env.noise is handled at county level; 天河区 has no 生态环境 line, so the city's does.
    return staff_principal("gz_stt", "440100-stt", ("城市事件处置人员",))


@pytest.fixture
def outsider(world):
    """Holds every stage permission, but in another district's command centre."""
    return staff_principal(
        "yx_dispatch", "440104-zsj", ("城市事件指挥调度人员", "城市事件处置人员", "网格员")
    )


@pytest.fixture
def no_role(world):
    return staff_principal("th_clerk", "440106-zsj", ("审批人员",))
