import pytest

from .factories import world_make


@pytest.fixture
def world(db):
    world_make()


@pytest.fixture
def workspace_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    return tmp_path / "workspace"
