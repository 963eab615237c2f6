"""Synthetic open datasets for load tests and benchmarks: `opendata_generate` bulk-inserts
N published datasets (titles, notes and tags composed from Guangdong place names and open
data topics, jieba-indexed) sharing one small sample datastore, and optionally a large
datastore resource (1,000,000 rows by default) for datastore_search. Idempotent: datasets
named gen-NNNNN that exist are kept; the large resource is built once per row count."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from digigov.kernel.organizations.models import Organization

from ..models import (
    DatasetResource,
    DatasetTag,
    DatastoreTable,
    Frequency,
    License,
    OpenDataset,
    Theme,
)
from ..selectors.text import text_tokens
from .datastore import datastore_create, datastore_fulltext_index, datastore_insert, quote
from .search_index import search_index_sync

PREFIX = "gen-"
BENCH_NAME_PREFIX = "bench-datastore-"
TOPICS: list[tuple[str, str, list[str]]] = [
    ("transport", "公共充电桩分布", ["充电桩", "新能源", "交通"]),
    ("transport", "公交线路与站点", ["公交", "站点", "交通"]),
    ("transport", "道路交通流量统计", ["交通", "流量"]),
    ("livelihood", "养老机构名录", ["养老", "民生"]),
    ("livelihood", "社区卫生服务中心", ["社区", "卫生"]),
    ("health", "医疗机构执业信息", ["医疗", "医院"]),
    ("health", "药品零售企业名录", ["药品", "药店"]),
    ("education", "中小学校名录", ["学校", "教育"]),
    ("education", "公共图书馆开放信息", ["图书馆", "文化"]),
    ("market", "食品经营许可信息", ["食品", "许可"]),
    ("market", "市场主体登记统计", ["市场主体", "登记"]),
    ("credit", "经营异常名录", ["信用", "经营异常"]),
    ("credit", "行政处罚信息", ["信用", "处罚"]),
    ("environment", "空气质量监测数据", ["空气质量", "环境"]),
    ("environment", "河流水质监测", ["水质", "河流"]),
    ("urban", "保障性住房项目", ["住房", "保障"]),
    ("urban", "建设工程规划许可", ["规划", "建设"]),
    ("agriculture", "农产品批发市场价格", ["农产品", "价格"]),
    ("public-safety", "应急避难场所", ["应急", "避难"]),
    ("economy", "规模以上工业增加值", ["工业", "统计"]),
    ("finance", "政府采购公告", ["采购", "财政"]),
    ("social-security", "社会保险参保人数统计", ["社保", "统计"]),
    ("geography", "地名地址信息", ["地名", "地址"]),
    ("science", "高新技术企业名录", ["高新技术", "企业"]),
    ("governance", "城市管理案件统计", ["城市管理", "统计"]),
]
YEARS = [str(y) for y in range(2015, 2026)]


@dataclass(frozen=True)
class GenerateReport:
    created: int
    existing: int


def datasets_generate(
    *, count: int = 10_000, seed: int = 2021, batch: int = 1000
) -> GenerateReport:
    """Published datasets gen-00000 .. gen-<count-1> (missing ones only)."""
    organizations = list(
        Organization.objects.filter(level__in=["province", "city"], is_active=True)
        .select_related("region")
        .order_by("code")
    )
    if not organizations:
        raise RuntimeError("no organizations: run `digigov seed` first")
    existing = set(
        OpenDataset.objects.filter(name__startswith=PREFIX).values_list("name", flat=True)
    )
    wanted = [f"{PREFIX}{n:05d}" for n in range(count)]
    missing = [name for name in wanted if name not in existing]
    now = timezone.now()
    sample = DatastoreTable.objects.filter(resources__dataset__name__startswith=PREFIX).first()
    if sample is None and missing:
        sample = datastore_create(
            columns=[
                {"id": "item", "type": "text", "label": "项目"},
                {"id": "value", "type": "int", "label": "数值"},
            ]
        )
        datastore_insert(table=sample, rows=[{"item": f"样例{n}", "value": n} for n in range(20)])
    frequencies = Frequency.values
    created = 0
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        datasets, tags, resources, index = [], [], [], []
        for name in chunk:
            number = int(name.removeprefix(PREFIX))
            local = random.Random(f"{seed}-{number}")
            organization = organizations[local.randrange(len(organizations))]
            theme, topic, topic_tags = TOPICS[local.randrange(len(TOPICS))]
            place = organization.region.name if organization.region else "广东省"
            year = YEARS[local.randrange(len(YEARS))]
            title = f"{place}{topic}（{year}年）"
            notes = (
                f"{organization.name}发布的{place}{topic}数据，{year}年度，"
                f"按{Frequency(frequencies[number % len(frequencies)]).label}更新，可下载和通过接口调用。"
            )
            dataset = OpenDataset(
                name=name,
                title=title,
                notes=notes,
                organization=organization,
                region_code=organization.region_id,
                theme=theme,
                license_id=License.GD_OPEN if number % 5 else License.CC_BY,
                update_frequency=frequencies[number % len(frequencies)],
                temporal_start=dt.date(int(year), 1, 1),
                temporal_end=dt.date(int(year), 12, 31),
                spatial=[organization.region_id],
                open_condition="conditional" if number % 10 == 0 else "unconditional",
                state=OpenDataset.State.PUBLISHED,
                fields_spec=sample.columns,
                view_count=local.randrange(5000),
                download_count=local.randrange(800),
                submitted_by="operator:opendata-generate",
                reviewed_by="operator:opendata-generate",
                published_at=now,
            )
            names = list(dict.fromkeys([*topic_tags, year]))
            formats = ["CSV", "JSON", "XLSX"][: 1 + number % 3]
            dataset.tags_joined, dataset.formats_joined = "|".join(names), "|".join(formats)
            dataset.search_text = " ".join(
                text_tokens(title, notes, " ".join(names), organization.name, Theme(theme).label)
            )
            datasets.append(dataset)
            tags += [DatasetTag(dataset=dataset, name=t) for t in names]
            resources += [
                DatasetResource(
                    dataset=dataset,
                    name=f"{title}（{fmt}）",
                    format=fmt,
                    position=position,
                    datastore=sample,
                )
                for position, fmt in enumerate(formats)
            ]
            index.append((dataset.pk.hex, dataset.search_text))
        with transaction.atomic():
            OpenDataset.objects.bulk_create(datasets)
            DatasetTag.objects.bulk_create(tags)
            DatasetResource.objects.bulk_create(resources)
            search_index_sync(entries=index)
        created += len(chunk)
    if created and connection.vendor == "postgresql":
        # fresh statistics and an empty GIN pending list: the planner picks the index
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('opendata_dataset_search_gin'::regclass)")
            cursor.execute(
                "ANALYZE opendata_opendataset, opendata_datasettag, opendata_datasetresource"
            )
    return GenerateReport(created=created, existing=len(wanted) - len(missing))


DISTRICTS = [f"4401{n:02d}" for n in range(3, 18)] + [f"4403{n:02d}" for n in range(3, 12)]
CATEGORIES = [
    "餐饮",
    "零售",
    "住宿",
    "教育培训",
    "医疗",
    "交通运输",
    "物流",
    "文化娱乐",
    "家政",
    "维修",
    "美容美发",
    "体育健身",
    "金融服务",
    "房地产中介",
    "信息技术",
    "建筑装饰",
    "农产品",
    "旅游",
    "养老",
    "托育",
]


def _bench_rows(rows: int, seed: int):
    rng = random.Random(seed)
    first = dt.date(2020, 1, 1)
    for n in range(rows):
        district = DISTRICTS[rng.randrange(len(DISTRICTS))]
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        yield (
            f"{category} {district}",
            f"R{n:08d}",
            district,
            category,
            (first + dt.timedelta(days=rng.randrange(2000))).isoformat(),
            rng.randrange(1, 500),
            f"{rng.randrange(100, 10_000_000) / 100:.2f}",
        )


BENCH_COLUMNS = [
    {"id": "record_id", "type": "text", "label": "记录编号"},
    {"id": "district_code", "type": "text", "label": "所在区"},
    {"id": "category", "type": "text", "label": "行业类别"},
    {"id": "registered_on", "type": "date", "label": "登记日期"},
    {"id": "staff_count", "type": "int", "label": "从业人数"},
    {"id": "amount", "type": "numeric", "label": "金额（元）"},
]
BENCH_INDEXED = ["record_id", "district_code", "category", "registered_on"]


def datastore_bench_load(*, rows: int = 1_000_000, seed: int = 7) -> OpenDataset:
    """A published dataset `bench-datastore-<rows>` whose datastore holds `rows` synthetic
    rows (COPY on PostgreSQL); built once, reused after."""
    name = f"{BENCH_NAME_PREFIX}{rows}"
    found = OpenDataset.objects.filter(name=name, state="published").first()
    if found is not None and DatastoreTable.objects.filter(dataset=found, row_count=rows).exists():
        return found
    organization = (
        Organization.objects.filter(code="440100-scjg").first() or Organization.objects.first()
    )
    with transaction.atomic():
        if found is not None:
            old = DatastoreTable.objects.filter(dataset=found).first()
            if old is not None:
                from .datastore import datastore_drop

                datastore_drop(table=old)
            found.delete()
        table = datastore_create(columns=BENCH_COLUMNS, indexed=[])
        names = ["_full_text", *[c["id"] for c in BENCH_COLUMNS]]
        target = f"{quote(table.table_name)} ({', '.join(quote(n) for n in names)})"
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"COPY {target} FROM STDIN") as copy:
                    for row in _bench_rows(rows, seed):
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            with connection.cursor() as cursor:
                batch = []
                for row in _bench_rows(rows, seed):
                    batch.append(row)
                    if len(batch) >= 5000:
                        cursor.executemany(f"INSERT INTO {target} VALUES ({marks})", batch)  # noqa: S608
                        batch = []
                if batch:
                    cursor.executemany(f"INSERT INTO {target} VALUES ({marks})", batch)  # noqa: S608
        with connection.cursor() as cursor:
            for position, column in enumerate(BENCH_INDEXED):
                cursor.execute(
                    f"CREATE INDEX {quote(f'{table.table_name}_i{position}')}"
                    f" ON {quote(table.table_name)} ({quote(column)})"
                )
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {quote(table.table_name)}")
        datastore_fulltext_index(table=table)
        DatastoreTable.objects.filter(pk=table.pk).update(row_count=rows, indexed=BENCH_INDEXED)
        dataset = OpenDataset.objects.create(
            name=name,
            title=f"基准测试：市场主体经营情况（{rows:,} 条）",
            notes="用于 datastore_search 性能测试的合成数据。",
            organization=organization,
            region_code=organization.region_id,
            theme=Theme.MARKET,
            open_condition="unconditional",
            state=OpenDataset.State.PUBLISHED,
            fields_spec=BENCH_COLUMNS,
            formats_joined="CSV",
            published_at=timezone.now(),
            submitted_by="operator:opendata-generate",
        )
        DatastoreTable.objects.filter(pk=table.pk).update(dataset=dataset)
        DatasetResource.objects.create(
            dataset=dataset, name=f"{dataset.title}（CSV）", format="CSV", datastore=table
        )
    return dataset


def bench_resource_id(*, rows: int = 1_000_000) -> str:
    dataset = OpenDataset.objects.get(name=f"{BENCH_NAME_PREFIX}{rows}")
    return str(DatasetResource.objects.filter(dataset=dataset).values_list("pk", flat=True)[0])
