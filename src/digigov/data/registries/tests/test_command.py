"""`digigov registry import|export`: the operator's way in and out."""

import csv

import pytest
from django.core.management import CommandError, call_command

from digigov.data.registries.models import Person
from digigov.kernel.audit.models import AuditEntry

from .factories import csv_bytes, people_rows

pytestmark = pytest.mark.usefixtures("regions")


def test_import_with_report_then_export(tmp_path, capsys):
    records = people_rows(5)
    records[3] = dict(records[3], household_region="449999")
    source = tmp_path / "people.csv"
    source.write_bytes(csv_bytes(records))
    report = tmp_path / "rejected.csv"
    call_command("registry", "import", "people", str(source), "--report", str(report))
    out = capsys.readouterr()
    assert "读取 5 行，导入 4 行，拒收 1 行" in out.out
    assert "第 5 行：户籍地区划代码 449999 不存在" in out.err
    with report.open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1] == [
            "5",
            records[3]["id_number"],
            "户籍地区划代码 449999 不存在",
        ]
    entry = AuditEntry.objects.filter(action="registry.person.import").get()
    assert entry.actor.startswith("staff:cli:") and entry.object_id == "people.csv"

    target = tmp_path / "export.csv"
    call_command("registry", "export", "people", str(target))
    with target.open(encoding="utf-8-sig") as handle:
        exported = list(csv.DictReader(handle))
    assert [r["phone"] for r in exported] == [r["phone"] for i, r in enumerate(records) if i != 3]
    call_command("registry", "export", "people", str(target), "--masked")
    with target.open(encoding="utf-8-sig") as handle:
        assert all("****" in r["phone"] for r in csv.DictReader(handle))


def test_all_or_nothing_fails_the_command_and_writes_nothing(tmp_path):
    records = people_rows(3)
    records[1] = dict(records[1], name="")
    source = tmp_path / "people.csv"
    source.write_bytes(csv_bytes(records))
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("registry", "import", "people", str(source), "--all-or-nothing")
    assert Person.objects.count() == 0


def test_malformed_file_fails_the_command(tmp_path):
    source = tmp_path / "people.csv"
    source.write_bytes(b"name,colour\n")
    with pytest.raises(CommandError, match="表头不符合要求"):
        call_command("registry", "import", "people", str(source))
