"""Reading registry CSV files: header check, chunking, per-row validation and sealing.

Pure computation, no database: the CPU-heavy part of an import (parse, validate, SM4 seal)
runs here, in the importing process or in a pool of worker processes, and hands back rows
ready to write plus the rejected rows with their reasons. services.py writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from stdnum import numdb
from stdnum.cn import ric

from digigov.kernel.errors import ValidationFailed
from digigov.kernel.ids import InvalidIdentifier, resident_id_validate, uscc_validate

from .constants import (
    ETHNICITY_SET,
    GENDER_INPUTS,
    GENDER_LABELS,
    RECORD_REGION_LEVELS,
    USCC_PREFIXES_BY_TYPE,
)
from .pii import seal

PERSON = "person"
ENTITY = "entity"

# Canonical CSV columns (the export writes these) and the Chinese headers accepted for them.
PERSON_COLUMNS = (
    "id_number",
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "household_region",
    "residence_address",
    "phone",
)
ENTITY_COLUMNS = (
    "uscc",
    "name",
    "entity_type",
    "legal_rep_name",
    "legal_rep_id_number",
    "registered_capital",
    "address",
    "region",
    "status",
    "established_date",
)
HEADER_ALIASES = {
    PERSON: {
        "公民身份号码": "id_number",
        "身份证号": "id_number",
        "身份证号码": "id_number",
        "姓名": "name",
        "性别": "gender",
        "出生日期": "birth_date",
        "民族": "ethnicity",
        "户籍地区划代码": "household_region",
        "户籍地": "household_region",
        "居住地址": "residence_address",
        "联系电话": "phone",
    },
    ENTITY: {
        "统一社会信用代码": "uscc",
        "名称": "name",
        "主体类型": "entity_type",
        "法定代表人": "legal_rep_name",
        "法定代表人姓名": "legal_rep_name",
        "法定代表人身份证号": "legal_rep_id_number",
        "注册资本": "registered_capital",
        "注册资本（万元）": "registered_capital",
        "住所": "address",
        "登记地区划代码": "region",
        "登记地": "region",
        "登记状态": "status",
        "成立日期": "established_date",
    },
}
COLUMNS = {PERSON: PERSON_COLUMNS, ENTITY: ENTITY_COLUMNS}
# Model columns in the order rows are handed to the writer (COPY column list, bulk_create).
DB_COLUMNS = {
    PERSON: (
        "id_number",
        "name",
        "gender",
        "birth_date",
        "ethnicity",
        "household_region_id",
        "residence_address_sealed",
        "phone_sealed",
    ),
    ENTITY: (
        "uscc",
        "name",
        "entity_type",
        "legal_rep_name",
        "legal_rep_id_number",
        "registered_capital",
        "address_sealed",
        "region_id",
        "status",
        "established_date",
    ),
}
KEY_LABEL = {PERSON: "身份证号", ENTITY: "统一社会信用代码"}

CHUNK_BYTES = 1 << 20  # about 8,000 person rows: big enough to amortise process hand-off
_LEVEL_LABELS = {"province": "省级", "city": "地级市", "county": "县级", "town": "乡镇街道级"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f0-9@#$%^&*=+<>{}\[\]|\\/?!！？]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


class CsvMalformed(ValidationFailed):
    """The file as a whole cannot be read: nothing from it is written."""

    code = "csv_malformed"


@dataclass(frozen=True)
class Rejection:
    line: int
    key: str  # the ID number / USCC as submitted (may be invalid)
    reasons: tuple[str, ...]


@dataclass
class ChunkResult:
    rows: int = 0
    keys: list[tuple[int, str]] = field(default_factory=list)  # (line, key) of valid rows
    values: list[tuple] = field(default_factory=list)  # for bulk_create (as_copy=False)
    copy_data: bytes = b""  # COPY text rows "line\tcol\t...\n", UTF-8 (as_copy=True)
    rejections: list[Rejection] = field(default_factory=list)
    error: str = ""  # the chunk is malformed: abort the whole import


@dataclass(frozen=True)
class Context:
    """What a worker needs, with no database access: region levels and the data key."""

    kind: str
    positions: tuple[int, ...]  # CSV position of each canonical column
    width: int  # number of columns in the header
    regions: dict[str, str]  # code -> level
    key_id: str
    as_copy: bool
    today: dt.date


# --- header and chunking -------------------------------------------------------------


def read_header(kind: str, handle: BinaryIO) -> tuple[tuple[int, ...], int]:
    """Read and check the header line. Return (position of each canonical column, width)."""
    first = handle.readline()
    if not first.strip():
        raise CsvMalformed("文件为空或缺少表头行")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvMalformed(
            "第 1 行（表头）含有无法按 UTF-8 解码的字节，请将文件另存为 UTF-8 编码"
        ) from None
    names = next(csv.reader([text]))
    aliases = HEADER_ALIASES[kind]
    canonical = [aliases.get(name.strip(), name.strip()) for name in names]
    expected = COLUMNS[kind]
    unknown = [name for name, canon in zip(names, canonical, strict=True) if canon not in expected]
    missing = [name for name in expected if name not in canonical]
    repeated = sorted({name for name in canonical if canonical.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"缺少列：{'、'.join(missing)}")
    if unknown:
        problems.append(f"未知列：{'、'.join(unknown)}")
    if repeated:
        problems.append(f"重复列：{'、'.join(repeated)}")
    if problems:
        raise CsvMalformed(
            f"表头不符合要求（{'；'.join(problems)}）。应包含：{','.join(expected)}",
            fields={"header": problems},
        )
    positions = tuple(canonical.index(name) for name in expected)
    return positions, len(names)


def chunks(handle: BinaryIO, *, first_line: int = 2) -> Iterator[tuple[int, bytes]]:
    """Yield (first line number, bytes) pieces that end on record boundaries.

    A piece ends after a newline outside quotes: RFC 4180 doubles quotes inside a quoted
    field, so a piece with an even number of quote characters is never cut mid-field.
    UTF-8 never uses the newline byte inside a character, so no character is cut either.
    """
    pending = b""
    line = first_line
    while True:
        block = handle.read(CHUNK_BYTES)
        if not block:
            break
        data = pending + block
        cut = data.rfind(b"\n")
        while cut != -1 and data.count(b'"', 0, cut) % 2:
            cut = data.rfind(b"\n", 0, cut)
        if cut == -1:
            pending = data
            continue
        piece, pending = data[: cut + 1], data[cut + 1 :]
        yield line, piece
        line += piece.count(b"\n")
    if pending.strip():
        yield line, pending


# --- field checks ----------------------------------------------------------------------

_date_cache: dict[str, dt.date | None] = {}
_place_ranges: dict[str, tuple[tuple[int, int], ...]] = {}


def _parse_date(text: str) -> dt.date | None:
    hit = _date_cache.get(text, False)
    if hit is not False:
        return hit
    value = None
    try:
        if len(text) == 8 and text.isdigit():  # YYYYMMDD, as inside an ID number
            value = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        elif len(text) == 10 and text[4] in "-/" and text[7] == text[4]:
            value = dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        value = None
    if len(_date_cache) < 200_000:
        _date_cache[text] = value
    return value


def _place_year_ranges(prefix: str) -> tuple[tuple[int, int], ...]:
    """The years in which stdnum's region table (cn/loc) knows this 6-digit code, read the
    way stdnum.cn.ric.get_birth_place reads it, once per code instead of once per row."""
    results = numdb.get("cn/loc").info(prefix)
    county = {k: v for _, props in results for k, v in props.items()}.get("county")
    if not county:
        return ()
    ranges = []
    for entry in county.split(","):
        if not entry.startswith("["):
            return ((0, 9999),)
        start, end = entry[1:].split("]")[0].split("-")
        ranges.append((int(start) if start else 0, int(end) if end else 9999))
    return tuple(ranges)


def place_valid(prefix: str, year: int) -> bool:
    ranges = _place_ranges.get(prefix)
    if ranges is None:
        ranges = _place_ranges[prefix] = _place_year_ranges(prefix)
    return any(start <= year <= end for start, end in ranges)


def resident_id(raw: str, today: dt.date) -> tuple[str, dt.date, str]:
    """(number, birth date, gender) or InvalidIdentifier with kernel.ids' reason.

    A row already in compact form is checked here with the same rules as
    kernel.ids.resident_id_validate (stdnum computes the check digit and knows the region
    codes), with the slow parts cached; anything else goes to the kernel for its message.
    """
    if len(raw) == 18 and raw.isascii() and raw[:17].isdigit() and raw[17] in "0123456789X":
        birth = _parse_date(raw[6:14])
        if (
            birth is not None
            and birth <= today
            and ric.calc_check_digit(raw) == raw[17]
            and place_valid(raw[:6], birth.year)
        ):
            return raw, birth, "M" if int(raw[16]) % 2 else "F"
    parsed = resident_id_validate(raw)  # raises with the precise reason
    return parsed.number, parsed.birth_date, parsed.gender


def _text(value: str, label: str, reasons: list[str], *, limit: int) -> str:
    """A required single-line text field."""
    value = value.strip()
    if not value:
        reasons.append(f"{label}不能为空")
    elif len(value) > limit:
        reasons.append(f"{label}超过 {limit} 个字")
    elif _CONTROL.search(value):
        reasons.append(f"{label}含有换行、制表符等控制字符")
    return value


def _region(code: str, label: str, regions: dict[str, str], reasons: list[str]) -> str:
    code = code.strip()
    if not code:
        reasons.append(f"{label}区划代码不能为空")
        return code
    level = regions.get(code)
    if level is None:
        reasons.append(f"{label}区划代码 {code} 不存在")
    elif level not in RECORD_REGION_LEVELS:
        reasons.append(
            f"{label}须为县级或乡镇（街道）级区划，{code} 是{_LEVEL_LABELS.get(level, level)}区划"
        )
    return code


def _phone(value: str, reasons: list[str]) -> str:
    value = value.strip().replace(" ", "")
    if value.startswith("+86"):
        value = value[3:].lstrip("-")
    if value and not (_MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value)):
        reasons.append("联系电话格式无效：应为 11 位手机号码或带区号的固定电话")
    return value


def _copy_escape(value: str) -> str:
    # control characters are rejected by validation; only the backslash needs escaping
    return value.replace("\\", "\\\\") if "\\" in value else value


# --- rows --------------------------------------------------------------------------------


def check_person(fields: list[str], ctx: Context) -> tuple[str, tuple] | list[str]:
    """Validated, sealed model values (key, values) or the list of reasons to reject."""
    reasons: list[str] = []
    raw_id = fields[0].strip()
    number = ""
    try:
        number, birth, gender = resident_id(raw_id, ctx.today)
    except InvalidIdentifier as exc:
        reasons.append(exc.message)
    name = _text(fields[1], "姓名", reasons, limit=50)
    if name and _BAD_NAME.search(name):
        reasons.append("姓名含有数字或符号等无效字符")
    given_gender = fields[2].strip()
    if given_gender:
        value = GENDER_INPUTS.get(given_gender.upper())
        if value is None:
            reasons.append("性别无效：应填 男 或 女（或 M、F）")
        elif number and value != gender:
            reasons.append(
                f"性别（{GENDER_LABELS[value]}）与身份证号不符：身份证号第 17 位表示"
                f"{GENDER_LABELS[gender]}"
            )
    given_birth = fields[3].strip()
    if given_birth:
        value = _parse_date(given_birth)
        if value is None:
            reasons.append("出生日期格式无效：应为 YYYY-MM-DD")
        elif number and value != birth:
            reasons.append(f"出生日期 {value.isoformat()} 与身份证号不符：身份证号为 {birth}")
    ethnicity = fields[4].strip()
    if not ethnicity:
        reasons.append("民族不能为空")
    elif ethnicity not in ETHNICITY_SET:
        if ethnicity + "族" in ETHNICITY_SET:
            ethnicity += "族"
        else:
            reasons.append(f"未知的民族：{ethnicity[:20]}（应为 GB/T 3304 中的民族名称）")
    region = _region(fields[5], "户籍地", ctx.regions, reasons)
    address = _text(fields[6], "居住地址", reasons, limit=200)
    phone = _phone(fields[7], reasons)
    if reasons:
        return reasons
    key_id = ctx.key_id
    sealed_address = seal(key_id=key_id, value=address, record_key=number)
    sealed_phone = seal(key_id=key_id, value=phone, record_key=number)
    if ctx.as_copy:
        birth_text = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
        return number, (
            number,
            _copy_escape(name),
            gender,
            birth_text,
            ethnicity,
            region,
            sealed_address,
            sealed_phone,
        )
    return number, (
        number,
        name,
        gender,
        birth,
        ethnicity,
        region,
        sealed_address,
        sealed_phone,
    )


def check_entity(fields: list[str], ctx: Context) -> tuple[str, tuple] | list[str]:
    reasons: list[str] = []
    uscc = ""
    try:
        uscc = uscc_validate(fields[0].strip())
    except InvalidIdentifier as exc:
        reasons.append(exc.message)
    name = _text(fields[1], "名称", reasons, limit=120)
    entity_type = fields[2].strip()
    if not entity_type:
        reasons.append("主体类型不能为空")
    elif entity_type not in USCC_PREFIXES_BY_TYPE:
        reasons.append(
            f"未知的主体类型：{entity_type[:20]}（可选：{'、'.join(USCC_PREFIXES_BY_TYPE)}）"
        )
    elif uscc and uscc[:2] not in USCC_PREFIXES_BY_TYPE[entity_type]:
        reasons.append(
            f"统一社会信用代码前两位（登记管理部门和机构类别 {uscc[:2]}）与主体类型"
            f"“{entity_type}”不符"
        )
    rep_name = _text(fields[3], "法定代表人姓名", reasons, limit=50)
    rep_id = ""
    try:
        rep_id = resident_id(fields[4].strip(), ctx.today)[0]
    except InvalidIdentifier as exc:
        reasons.append(f"法定代表人{exc.message}")
    capital_text = fields[5].strip().replace(",", "")
    capital = None
    if capital_text:
        try:
            capital = Decimal(capital_text)
            if not capital.is_finite() or capital < 0 or capital >= Decimal("1e12"):
                raise InvalidOperation
        except InvalidOperation:
            reasons.append("注册资本应为以万元计的非负数字")
            capital = None
    address = _text(fields[6], "住所", reasons, limit=200)
    region = _region(fields[7], "登记地", ctx.regions, reasons)
    status = fields[8].strip()
    if status not in ("存续", "在业", "吊销", "注销", "迁出"):
        reasons.append("登记状态不能为空" if not status else f"未知的登记状态：{status[:20]}")
    established_text = fields[9].strip()
    established = _parse_date(established_text) if established_text else None
    if not established_text:
        reasons.append("成立日期不能为空")
    elif established is None:
        reasons.append("成立日期格式无效：应为 YYYY-MM-DD")
    elif established > ctx.today:
        reasons.append("成立日期晚于今天")
    if reasons:
        return reasons
    sealed_address = seal(key_id=ctx.key_id, value=address, record_key=uscc)
    if ctx.as_copy:
        return uscc, (
            uscc,
            _copy_escape(name),
            entity_type,
            _copy_escape(rep_name),
            rep_id,
            "\\N" if capital is None else str(capital),
            sealed_address,
            region,
            status,
            established.isoformat(),
        )
    return uscc, (
        uscc,
        name,
        entity_type,
        rep_name,
        rep_id,
        capital,
        sealed_address,
        region,
        status,
        established,
    )


CHECKS = {PERSON: check_person, ENTITY: check_entity}


def process_chunk(ctx: Context, first_line: int, data: bytes) -> ChunkResult:
    """Parse, validate and seal one piece of the file."""
    result = ChunkResult()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        result.error = f"第 {line} 行含有无法按 UTF-8 解码的字节，请将文件另存为 UTF-8 编码"
        return result
    check = CHECKS[ctx.kind]
    positions, width, as_copy = ctx.positions, ctx.width, ctx.as_copy
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    keys, values, rejections = result.keys, result.values, result.rejections
    copy_lines: list[str] = []
    start = first_line
    try:
        for record in reader:
            line = start
            start = first_line + reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # blank line
            if len(record) != width:
                result.error = f"第 {line} 行有 {len(record)} 列，表头有 {width} 列"
                return result
            result.rows += 1
            checked = check([record[p] for p in positions], ctx)
            if isinstance(checked, list):
                rejections.append(
                    Rejection(line, record[positions[0]].strip()[:40], tuple(checked))
                )
                continue
            key, row = checked
            keys.append((line, key))
            if as_copy:
                copy_lines.append(f"{line}\t" + "\t".join(row) + "\n")
            else:
                values.append(row)
    except csv.Error as exc:
        result.error = f"第 {start} 行不是有效的 CSV：{exc}"
        return result
    result.copy_data = "".join(copy_lines).encode()
    return result


# --- worker processes --------------------------------------------------------------------

_worker_ctx: Context | None = None


def worker_init(ctx: Context) -> None:
    global _worker_ctx
    _worker_ctx = ctx


def worker_process(piece: tuple[int, bytes]) -> ChunkResult:
    assert _worker_ctx is not None
    return process_chunk(_worker_ctx, piece[0], piece[1])
