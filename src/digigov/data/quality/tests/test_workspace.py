"""The analytics workspace: snapshots hold masked copies of datasets (never registries);
only one read-only query runs, with a row limit and a time limit; forbidden statements,
file access and injection are refused, logged and audited; who may use it."""

from __future__ import annotations

import duckdb
import pytest

from digigov.data.catalog.selectors.resources import resource_by_code
from digigov.data.catalog.services.resources import resource_register
from digigov.data.registries.selectors import registry_records
from digigov.kernel.errors import PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.principals import ANONYMOUS

from .. import duck
from ..models import WorkspaceQuery, WorkspaceSnapshot
from ..selectors.workspace import workspace_history, workspace_resources, workspace_snapshots
from ..services.demo import CODE, ROWS, quality_demo_seed
from ..services.workspace import snapshot_path, workspace_query, workspace_snapshot_create
from .factories import DEPARTMENT, analyst, audit_head, audit_since, org, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(world, workspace_dir):
    quality_demo_seed()
    return resource_by_code(code=CODE)


@pytest.fixture
def snapshot(dataset):
    return workspace_snapshot_create(principal=analyst(), resource_id=dataset.pk)


def _entities():
    return registry_records(
        kind="entity", fields=["uscc", "legal_rep_name", "legal_rep_id_number"], limit=ROWS
    )


def test_a_snapshot_holds_the_rows_with_personal_fields_masked(snapshot, workspace_dir):
    assert snapshot_path(snapshot).parent == workspace_dir and snapshot.row_count == ROWS
    result = workspace_query(
        principal=analyst(),
        snapshot_id=snapshot.pk,
        sql="SELECT uscc, legal_rep_name, legal_rep_id_number, employees FROM data ORDER BY uscc",
    )
    assert result.columns == ["uscc", "legal_rep_name", "legal_rep_id_number", "employees"]
    assert len(result.rows) == ROWS and not result.is_truncated
    entity = _entities()[0]
    shown = {row[0]: row for row in result.rows}[entity["uscc"]]
    assert shown[1] != entity["legal_rep_name"] and shown[1].startswith(entity["legal_rep_name"][0])
    assert (
        shown[2]
        == entity["legal_rep_id_number"][:4] + "*" * 10 + entity["legal_rep_id_number"][-4:]
    )
    assert isinstance(shown[3], int)  # unmasked columns keep their type
    # nothing personal in the file at all, whatever one asks
    con = duckdb.connect(str(snapshot_path(snapshot)), read_only=True)
    every = str(con.execute("SELECT * FROM data").fetchall())
    con.close()
    for e in _entities():
        assert e["legal_rep_id_number"] not in every and e["legal_rep_name"] not in every
    masked = {c["name"]: c["masking"] for c in snapshot.columns}
    assert masked["legal_rep_id_number"] == "id_number" and masked["uscc"] == "none"


def test_aggregates_run_and_the_query_is_logged_and_audited(snapshot):
    head = audit_head()
    result = workspace_query(
        principal=analyst(),
        snapshot_id=snapshot.pk,
        sql="WITH t AS (SELECT region_code, count(*) AS n FROM data GROUP BY 1)\n"
        "SELECT sum(n) FROM t -- total",
    )
    assert result.rows == [[ROWS]]
    logged = WorkspaceQuery.objects.get(pk=result.query_id)
    assert logged.outcome == "success" and logged.rows_returned == 1 and "GROUP BY" in logged.sql
    assert audit_since(head) == [("quality.workspace.query", "success")]


def test_results_stop_at_the_row_limit(snapshot):
    result = workspace_query(
        principal=analyst(), snapshot_id=snapshot.pk, sql="SELECT * FROM range(5000)"
    )
    assert len(result.rows) == duck.ROW_LIMIT and result.is_truncated
    assert WorkspaceQuery.objects.get(pk=result.query_id).is_truncated


def test_a_query_over_the_time_limit_is_stopped(snapshot, monkeypatch):
    monkeypatch.setattr(duck, "TIME_LIMIT_SECONDS", 0.3)
    with pytest.raises(ValidationFailed) as error:
        workspace_query(
            principal=analyst(),
            snapshot_id=snapshot.pk,
            sql="SELECT count(*) FROM range(100000000000) a, range(100000) b",
        )
    assert error.value.code == "workspace_failed" and "已中止" in error.value.message
    assert WorkspaceQuery.objects.get().outcome == "failed"


FORBIDDEN = [
    "COPY data TO '/tmp/leak.csv'",
    "COPY (SELECT * FROM data) TO '/tmp/leak.parquet' (FORMAT parquet)",
    "ATTACH '/tmp/other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM glob('/etc/*')",
    "SELECT 1; DROP TABLE data",
    "SELECT * FROM data; SELECT 1",
    "DROP TABLE data",
    "DELETE FROM data",
    "UPDATE data SET name = 'x'",
    "CREATE TABLE t AS SELECT * FROM data",
    "PRAGMA database_list",
    "SET enable_external_access = true",
    "CALL pragma_version()",
    "EXPORT DATABASE '/tmp/x'",
    "",
]


@pytest.mark.parametrize("sql", FORBIDDEN)
def test_forbidden_statements_are_refused_logged_and_audited(snapshot, sql):
    head = audit_head()
    with pytest.raises(ValidationFailed) as error:
        workspace_query(principal=analyst(), snapshot_id=snapshot.pk, sql=sql)
    assert error.value.code == "workspace_refused"
    logged = WorkspaceQuery.objects.get()
    assert logged.outcome == "refused" and logged.rows_returned == 0
    assert audit_since(head) == [("quality.workspace.query", "denied")]
    count = workspace_query(
        principal=analyst(), snapshot_id=snapshot.pk, sql="SELECT count(*) FROM data"
    )
    assert count.rows == [[ROWS]]  # the snapshot is intact


def test_a_file_read_hidden_from_the_screen_is_still_blocked_by_duckdb(snapshot, monkeypatch):
    monkeypatch.setattr(duck, "_FILE_FUNCTIONS", duck.re.compile(r"(?!)"))
    monkeypatch.setattr(duck, "_FROM_LITERAL", duck.re.compile(r"(?!)"))
    with pytest.raises(ValidationFailed) as error:
        workspace_query(
            principal=analyst(),
            snapshot_id=snapshot.pk,
            sql="SELECT * FROM read_csv('/etc/passwd')",
        )
    assert error.value.code == "workspace_refused"  # DuckDB's PermissionException
    with pytest.raises(ValidationFailed) as error:  # no replacement scan of files either
        workspace_query(
            principal=analyst(), snapshot_id=snapshot.pk, sql="SELECT * FROM '/etc/hostname'"
        )
    assert error.value.code == "workspace_failed" and "does not exist" in error.value.message


def test_injection_in_a_literal_is_just_text(snapshot):
    result = workspace_query(
        principal=analyst(),
        snapshot_id=snapshot.pk,
        sql="SELECT count(*) FROM data WHERE name = 'x''; DROP TABLE data; --'",
    )
    assert result.rows == [[0]]


def test_syntax_errors_fail_with_a_message(snapshot):
    with pytest.raises(ValidationFailed) as error:
        workspace_query(principal=analyst(), snapshot_id=snapshot.pk, sql="SELEC * FROM data")
    assert error.value.code == "workspace_failed" and "语法错误" in error.value.message


def test_registries_and_api_resources_cannot_be_snapshotted(world, workspace_dir):
    registry = resource_register(
        principal=DEPARTMENT,
        organization_id=org("440000-scjg").pk,
        values={
            "code": "GD-FR-JCK",
            "name": "法人基础库",
            "layer": "base",
            "storage": "registry.entity",
            "share_condition": "conditional",
            "share_terms": "测试",
            "grade": "important",
            "key_field": "uscc",
        },
        fields=[{"name": "uscc", "label": "统一社会信用代码", "data_type": "code"}],
    )
    bureau = staff("440000-zsj", "quality.use_workspace", id="61")
    head = audit_head()
    with pytest.raises(PermissionDenied):
        workspace_snapshot_create(principal=bureau, resource_id=registry.pk)
    assert audit_since(head) == [("quality.workspace.snapshot", "denied")]
    assert not WorkspaceSnapshot.objects.exists()
    assert not workspace_dir.exists() or not any(workspace_dir.iterdir())


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("no_permission", False),
        ("other_department_analyst", False),
        ("analyst", True),
        ("province_bureau_analyst", True),
    ],
)
def test_who_may_snapshot_and_query(dataset, who, allowed):
    principal = {
        "anonymous": ANONYMOUS,
        "no_permission": staff("440100-scjg", "quality.manage_rules", id="71"),
        "other_department_analyst": analyst("440100-gat", id="72"),
        "analyst": analyst(),
        "province_bureau_analyst": staff("440000-zsj", "quality.use_workspace", id="73"),
    }[who]
    if allowed:
        snapshot = workspace_snapshot_create(principal=principal, resource_id=dataset.pk)
        assert workspace_query(principal=principal, snapshot_id=snapshot.pk, sql="SELECT 1").rows
        assert [s.pk for s in workspace_snapshots(principal=principal)] == [snapshot.pk]
        assert [r.code for r in workspace_resources(principal=principal)] == [CODE]
        assert len(workspace_history(principal=principal)) == 1
        return
    error = Unauthenticated if who == "anonymous" else PermissionDenied
    with pytest.raises(error):
        workspace_snapshot_create(principal=principal, resource_id=dataset.pk)
    assert not WorkspaceSnapshot.objects.exists()
    theirs = workspace_snapshot_create(principal=analyst(id="74"), resource_id=dataset.pk)
    with pytest.raises(error):
        workspace_query(principal=principal, snapshot_id=theirs.pk, sql="SELECT 1")
    assert not WorkspaceQuery.objects.exists()


def test_history_shows_only_my_queries(snapshot):
    workspace_query(principal=analyst(), snapshot_id=snapshot.pk, sql="SELECT 1")
    workspace_query(principal=analyst(id="81"), snapshot_id=snapshot.pk, sql="SELECT 2")
    assert [q.sql for q in workspace_history(principal=analyst())] == ["SELECT 1"]
