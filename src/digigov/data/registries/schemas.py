from datetime import date
from decimal import Decimal

from ninja import Schema


class PersonOut(Schema):
    id_number: str
    name: str
    gender: str
    gender_label: str
    birth_date: date | None
    ethnicity: str
    household_region_code: str
    household_region_name: str
    residence_address: str
    phone: str
    is_masked: bool


class PersonPageOut(Schema):
    items: list[PersonOut]
    page: int
    page_size: int
    has_next: bool


class EntityOut(Schema):
    uscc: str
    name: str
    entity_type: str
    legal_rep_name: str
    legal_rep_id_number: str
    registered_capital: Decimal | None
    address: str
    region_code: str
    region_name: str
    status: str
    is_operating: bool
    established_date: date
    is_masked: bool


class EntityPageOut(Schema):
    items: list[EntityOut]
    page: int
    page_size: int
    has_next: bool


class RejectionOut(Schema):
    line: int
    key: str
    reasons: list[str]


class ImportReportOut(Schema):
    total: int
    imported: int
    rejected: int
    all_or_nothing: bool
    written: bool
    rejections: list[RejectionOut]
    rejections_truncated: bool
