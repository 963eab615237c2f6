"""CSV import: valid rows in, rejected rows reported with their line and reasons, malformed
files refused whole, one transaction and one audit entry per import."""

import io

import pytest
from django.db import connection

from digigov.data.registries import rows, services
from digigov.data.registries.models import Entity, Person
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import PermissionDenied, Unauthenticated
from digigov.kernel.events.models import Event
from digigov.kernel.principals import ANONYMOUS

from .factories import (
    VALID_ID,
    audit_head,
    audit_since,
    csv_bytes,
    entity_rows,
    import_entities,
    import_people,
    machine,
    people_rows,
    staff,
)

pytestmark = pytest.mark.usefixtures("regions")


def _reasons(report) -> dict[int, tuple[str, ...]]:
    return {r.line: r.reasons for r in report.rejections}


def test_valid_rows_are_imported_and_sealed():
    records = people_rows(5)
    report = import_people(records)
    assert (report.total, report.imported, report.rejected, report.written) == (5, 5, 0, True)
    person = Person.objects.get(id_number=records[0]["id_number"])
    assert person.name == records[0]["name"]
    assert person.birth_date.isoformat() == records[0]["birth_date"]
    # phone and address are not stored in clear
    assert records[0]["residence_address"] not in person.residence_address_sealed
    assert records[0]["phone"] not in person.phone_sealed
    assert person.phone_sealed.startswith("registry-pii-")


def test_each_kind_of_bad_row_is_rejected_with_its_reason():
    good = people_rows(12)
    bad = [dict(r) for r in good[1:]]
    bad[0]["id_number"] = good[1]["id_number"][:17] + (
        "0" if good[1]["id_number"][17] != "0" else "1"
    )
    bad[1]["id_number"] = "44010319900101123"  # 17 digits
    bad[2]["gender"] = "女" if bad[2]["gender"] == "男" else "男"
    bad[3]["birth_date"] = "1900-01-01"
    bad[4]["household_region"] = "449999"
    bad[5]["household_region"] = "440100"  # a city that has counties
    bad[6]["phone"] = "12345"
    bad[7]["name"] = "  "
    bad[8]["ethnicity"] = "火星族"
    bad[9]["residence_address"] = ""
    bad[10]["gender"] = "未知"
    report = import_people([good[0], *bad, good[0]])
    reasons = _reasons(report)
    assert report.imported == 1
    assert report.total == 13
    assert reasons[3] == ("身份证号校验位错误，请核对最后一位",)
    assert reasons[4] == ("身份证号应为 18 位，实际 17 位",)
    assert "与身份证号不符" in reasons[5][0] and reasons[5][0].startswith("性别")
    assert reasons[6][0].startswith("出生日期 1900-01-01 与身份证号不符")
    assert reasons[7] == ("户籍地区划代码 449999 不存在",)
    assert reasons[8] == ("户籍地须为县级或乡镇（街道）级区划，440100 是地级市区划",)
    assert reasons[9] == ("联系电话格式无效：应为 11 位手机号码或带区号的固定电话",)
    assert reasons[10] == ("姓名不能为空",)
    assert reasons[11][0].startswith("未知的民族：火星族")
    assert reasons[12] == ("居住地址不能为空",)
    assert reasons[13] == ("性别无效：应填 男 或 女（或 M、F）",)
    assert reasons[14] == ("与第 2 行的身份证号重复",)
    assert list(reasons) == sorted(reasons)
    assert Person.objects.count() == 1


def test_a_row_lists_all_its_problems():
    record = dict(people_rows(1)[0], name="", phone="999", household_region="000000")
    report = import_people([record])
    assert set(report.rejections[0].reasons) == {
        "姓名不能为空",
        "联系电话格式无效：应为 11 位手机号码或带区号的固定电话",
        "户籍地区划代码 000000 不存在",
    }


def test_duplicate_of_an_existing_row_is_rejected():
    records = people_rows(3)
    import_people(records[:2])
    report = import_people(records)
    assert report.imported == 1
    assert _reasons(report) == {2: ("身份证号已在基础库中存在",), 3: ("身份证号已在基础库中存在",)}
    assert Person.objects.count() == 3


def test_gender_and_birth_date_may_be_left_blank_and_come_from_the_id_number():
    record = dict(people_rows(1)[0], gender="", birth_date="")
    assert import_people([record]).imported == 1
    person = Person.objects.get()
    assert person.gender == ("M" if int(record["id_number"][16]) % 2 else "F")


def test_chinese_headers_and_a_byte_order_mark_are_accepted():
    record = people_rows(1)[0]
    header = "公民身份号码,姓名,性别,出生日期,民族,户籍地区划代码,居住地址,联系电话"
    body = ",".join(record[c] for c in rows.PERSON_COLUMNS)
    data = f"{header}\n{body}\n".encode("utf-8-sig")
    report = services.person_import(principal=staff("add_person"), source=io.BytesIO(data))
    assert report.imported == 1


def test_excel_style_file_with_crlf_line_ends():
    records = people_rows(3)
    records[1] = dict(records[1], phone="1")
    data = b"\xef\xbb\xbf" + csv_bytes(records).replace(b"\n", b"\r\n")
    report = services.person_import(principal=staff("add_person"), source=io.BytesIO(data))
    assert (report.imported, _reasons(report)) == (
        2,
        {3: ("联系电话格式无效：应为 11 位手机号码或带区号的固定电话",)},
    )


def test_all_or_nothing_writes_nothing_when_a_row_is_rejected():
    records = people_rows(4)
    records[2] = dict(records[2], phone="000")
    before = audit_head()
    report = import_people(records, all_or_nothing=True)
    assert (report.written, report.imported, report.rejected) == (False, 0, 1)
    assert Person.objects.count() == 0
    assert not Event.objects.filter(topic="registries.person.imported").exists()
    [entry] = audit_since(before)
    assert entry[:2] == ("registry.person.import", "failure")


def test_all_or_nothing_refuses_duplicates_of_existing_rows_too():
    records = people_rows(3)
    import_people(records[:1])
    report = import_people(records, all_or_nothing=True)
    assert not report.written
    assert Person.objects.count() == 1


def test_all_or_nothing_with_clean_file_imports_everything():
    report = import_people(people_rows(3), all_or_nothing=True)
    assert (report.written, report.imported) == (True, 3)


MALFORMED = [
    (b"", "文件为空或缺少表头行"),
    (b"id_number,name\n", "缺少列：gender、birth_date"),
    (
        (",".join(rows.PERSON_COLUMNS) + ",favourite_colour\n").encode(),
        "未知列：favourite_colour",
    ),
    ("\ufeff身份证号\n".encode("gbk", errors="ignore") + b"\xff\xfe\n", "UTF-8"),
]


@pytest.mark.parametrize(("data", "message"), MALFORMED)
def test_malformed_header_is_refused_with_a_clear_message(data, message):
    before = audit_head()
    with pytest.raises(rows.CsvMalformed) as caught:
        services.person_import(principal=staff("add_person"), source=io.BytesIO(data))
    assert message in caught.value.message
    assert Person.objects.count() == 0
    [entry] = audit_since(before)
    assert entry[:2] == ("registry.person.import", "failure")


def test_undecodable_bytes_name_the_line_and_nothing_is_written():
    records = people_rows(3)
    data = csv_bytes(records).replace(records[2]["name"].encode(), records[2]["name"].encode("gbk"))
    with pytest.raises(rows.CsvMalformed) as caught:
        services.person_import(principal=staff("add_person"), source=io.BytesIO(data))
    assert caught.value.message == "第 4 行含有无法按 UTF-8 解码的字节，请将文件另存为 UTF-8 编码"
    assert Person.objects.count() == 0


def test_wrong_column_count_names_the_line_and_nothing_is_written():
    data = csv_bytes(people_rows(3)) + b"440103199001011234,only-two\n"
    before = audit_head()
    with pytest.raises(rows.CsvMalformed) as caught:
        services.person_import(principal=staff("add_person"), source=io.BytesIO(data))
    assert caught.value.message == "第 5 行有 2 列，表头有 8 列"
    assert Person.objects.count() == 0
    [entry] = audit_since(before)
    assert entry[1] == "failure"
    assert AuditEntry.objects.get(seq=before + 1).detail["error"] == caught.value.message


def test_quoted_fields_with_commas_and_newlines_keep_line_numbers_right():
    records = people_rows(3)
    records[0] = dict(records[0], residence_address="广东省广州市越秀区中山路1号, 2栋")
    records[1] = dict(records[1], residence_address="广东省广州市\n越秀区")
    report = import_people(records)
    # line 2: comma inside quotes is fine; line 3 spans two lines and has a newline
    assert _reasons(report) == {3: ("居住地址含有换行、制表符等控制字符",)}
    assert report.imported == 2


def test_chunk_boundaries_do_not_split_records(monkeypatch):
    monkeypatch.setattr(rows, "CHUNK_BYTES", 300)
    records = people_rows(30)
    records[10] = dict(records[10], residence_address='广东省"中山"\n路')
    records[20] = dict(records[20], phone="1")
    report = import_people(records)
    assert report.total == 30
    lines = _reasons(report)
    assert set(lines) == {12, 23}  # line 12 spans 2 lines, so row 21 is on line 23
    assert report.imported == 28


def test_one_audit_entry_and_one_event_per_import():
    before = audit_head()
    import_people(people_rows(3), filename="people.csv")
    [entry] = audit_since(before)
    assert entry == ("registry.person.import", "success", "people.csv")
    detail = AuditEntry.objects.get(seq=before + 1).detail
    assert detail == {
        "total": 3,
        "imported": 3,
        "rejected": 0,
        "all_or_nothing": False,
        "written": True,
    }
    assert Event.objects.filter(topic="registries.person.imported").count() == 1


def test_import_rolls_back_when_the_audit_entry_cannot_be_written(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        import_people(people_rows(3))
    assert Person.objects.count() == 0


def test_an_unexpected_failure_rolls_back_and_is_audited(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_write", broken)
    before = audit_head()
    with pytest.raises(RuntimeError):
        import_people(people_rows(2))
    assert Person.objects.count() == 0
    assert audit_since(before) == [("registry.person.import", "failure", "")]
    assert AuditEntry.objects.get(seq=before + 1).detail == {"error": "RuntimeError"}


@pytest.mark.parametrize(
    "principal",
    [staff(), staff("view_person", "view_person_pii"), machine("registry:read")],
    ids=["staff-without-permission", "staff-read-only", "machine-without-write"],
)
def test_import_needs_permission_and_denial_is_audited(principal):
    before = audit_head()
    with pytest.raises(PermissionDenied):
        import_people(people_rows(2), principal=principal)
    assert Person.objects.count() == 0
    assert audit_since(before) == [("registry.person.import", "denied", "")]


def test_anonymous_cannot_import():
    with pytest.raises(Unauthenticated):
        import_people(people_rows(1), principal=ANONYMOUS)


def test_machine_with_write_scope_may_import():
    assert import_people(people_rows(2), principal=machine("registry:write")).imported == 2


# --- entities -------------------------------------------------------------------------


def test_entities_are_imported_with_sealed_address():
    records = entity_rows(6)
    report = import_entities(records)
    assert (report.imported, report.rejected) == (6, 0)
    entity = Entity.objects.get(uscc=records[0]["uscc"])
    assert entity.status == records[0]["status"]
    assert records[0]["address"] not in entity.address_sealed


def test_bad_entity_rows_are_rejected_with_reasons():
    good = entity_rows(8)
    bad = [dict(r) for r in good]
    bad[0]["uscc"] = good[0]["uscc"][:17] + ("0" if good[0]["uscc"][17] != "0" else "1")
    bad[1]["entity_type"] = "皮包公司"
    bad[2]["status"] = "休眠"
    bad[3]["legal_rep_id_number"] = VALID_ID[:17] + "1"
    bad[4]["registered_capital"] = "一百万"
    bad[5]["established_date"] = "2999-01-01"
    bad[6]["region"] = "440000"
    # a sole trader (个体工商户) needs a 92 code, a company a 91 code
    bad[7]["entity_type"] = "个体工商户" if good[7]["uscc"][:2] != "92" else "有限责任公司"
    report = import_entities(bad)
    reasons = _reasons(report)
    assert report.imported == 0
    assert reasons[2] == ("统一社会信用代码校验位错误",)
    assert reasons[3][0].startswith("未知的主体类型：皮包公司")
    assert reasons[4] == ("未知的登记状态：休眠",)
    assert reasons[5] == ("法定代表人身份证号校验位错误，请核对最后一位",)
    assert reasons[6] == ("注册资本应为以万元计的非负数字",)
    assert reasons[7] == ("成立日期晚于今天",)
    assert reasons[8] == ("登记地须为县级或乡镇（街道）级区划，440000 是省级区划",)
    assert "与主体类型" in reasons[9][0]


def test_a_city_without_counties_counts_as_county_level():
    record = dict(entity_rows(1)[0], region="441900")  # 东莞市
    assert import_entities([record]).imported == 1


# --- PostgreSQL fast path ---------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_bulk_load_rebuilds_indexes_and_constraints(monkeypatch):
    def structures():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'registries_person'"
                " ORDER BY indexname"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = 'registries_person'::regclass ORDER BY conname"
            )
            return indexes, cursor.fetchall()

    before = structures()
    monkeypatch.setattr(services, "BULK_REBUILD_MIN_ROWS", 5)
    records = people_rows(12)
    import_people(records[:2])
    report = import_people(records)  # 10 new rows into a table of 2: rebuild
    assert (report.imported, report.rejected) == (10, 2)
    assert structures() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'registries_import_%%'")
        assert cursor.fetchone()[0] == 0  # staging table dropped


@pytest.mark.django_db(transaction=True)
def test_worker_pool_gives_the_same_result_as_one_process(monkeypatch, regions):
    monkeypatch.setattr(rows, "CHUNK_BYTES", 2000)
    records = people_rows(60)
    records[5] = dict(records[5], phone="abc")
    records[40] = dict(records[3])
    report = import_people(records, workers=2)
    assert report.total == 60
    assert _reasons(report) == {
        7: ("联系电话格式无效：应为 11 位手机号码或带区号的固定电话",),
        42: ("与第 5 行的身份证号重复",),
    }
    assert report.imported == 58
    assert Person.objects.count() == 58
    # the pool never touched the database: the parent's connection still works
    assert Person.objects.filter(id_number=records[0]["id_number"]).exists()
