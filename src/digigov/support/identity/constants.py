"""Vocabularies of the identity layer, shared by models, services, views and other apps."""

from __future__ import annotations

# What a relative (亲友代办) or an enterprise's authorised agent (授权代理) may do.
DELEGATION_SCOPES: dict[str, str] = {
    "apply": "代为申办",
    "query": "代为查询",
    "license": "代为用证",
}

REAL_NAME_LABELS: dict[int, str] = {
    1: "L1 注册用户",
    2: "L2 实名核验",
    3: "L3 现场核验",
}

# Longest delegation or agent authorisation a citizen or legal representative can grant.
DELEGATION_MAX_DAYS = 366

# Staff roles (Django groups) and the permissions each holds. Permissions of apps that are
# not installed yet are skipped by roles_seed(); it is re-run by `digigov seed`.
ROLES: dict[str, list[str]] = {
    "窗口受理人员": [
        "identity.verify_in_person",
        "identity.view_account",
        "registries.view_person",
        "registries.view_entity",
        "services.receive_application",
        "services.handle_application",
    ],
    "审批人员": [
        "registries.view_person",
        "registries.view_entity",
        "services.handle_application",
    ],
    "事项管理人员": [
        "services.edit_item_draft",
        "services.view_serviceitem",
        "services.manage_rules",
    ],
    "事项审核人员": [
        "services.review_item",
        "services.view_serviceitem",
        "services.manage_rules",
    ],
    "政务服务监督人员": [
        "services.supervise_application",
        "services.view_application",
        "services.view_rating",
    ],
    "制证人员": [
        "licenses.issue_license",
        "licenses.manage_license_status",
        "licenses.view_license",
        "registries.view_person",
        "registries.view_entity",
    ],
    "印章管理员": [
        "seals.apply_seal",
        "seals.manage_seal",
        "seals.use_seal",
        "seals.view_seal",
    ],
    "印章审批人员": [
        "seals.approve_seal",
        "seals.manage_seal",
        "seals.view_seal",
    ],
    "数据管理员": [
        "registries.view_person",
        "registries.add_person",
        "registries.change_person",
        "registries.view_entity",
        "registries.add_entity",
        "registries.change_entity",
        "registries.view_person_pii",
        "registries.view_entity_pii",
        "audit.view_auditentry",
        "regions.view_region",
        "organizations.view_organization",
    ],
    "数据目录管理员": [
        "catalog.register_resource",
        "catalog.view_dataresource",
        "catalog.view_sourcesystem",
    ],
    "数据资源审核人员": [
        "catalog.review_resource",
        "catalog.view_dataresource",
        "catalog.view_sourcesystem",
    ],
    "数据共享申请人员": [
        "sharing.request_data",
        "sharing.view_sharingrequest",
        "catalog.view_dataresource",
    ],
    "数据共享审批人员": [
        "sharing.approve_request",
        "sharing.view_sharingrequest",
        "sharing.view_grant",
        "catalog.view_dataresource",
    ],
    "数据治理人员": [
        "quality.manage_rules",
        "quality.handle_issue",
    ],
    "数据分析人员": [
        "quality.use_workspace",
    ],
    "城市事件指挥调度人员": [
        "cityevents.view_cityevent",
        "cityevents.register_event",
        "cityevents.merge_event",
        "cityevents.verify_event",
        "cityevents.view_grid",
    ],
    "城市事件处置人员": [
        "cityevents.view_cityevent",
        "cityevents.handle_event",
    ],
    "网格员": [
        "cityevents.view_cityevent",
        "cityevents.verify_event",
        "cityevents.patrol_report",
        "cityevents.view_grid",
    ],
    "城市事件管理员": [
        "cityevents.view_cityevent",
        "cityevents.view_reporter",
        "cityevents.manage_eventtype",
        "cityevents.view_eventtype",
        "cityevents.manage_grid",
        "cityevents.view_grid",
    ],
    "感知设备管理员": [
        "sensors.view_device",
        "sensors.manage_devices",
        "sensors.manage_rules",
        "sensors.handle_alert",
        "sensors.view_ingest",
    ],
    "感知告警处置人员": [
        "sensors.view_device",
        "sensors.handle_alert",
    ],
    "开放数据发布人员": [
        "opendata.publish_dataset",
        "opendata.view_opendataset",
        "catalog.view_dataresource",
    ],
    "开放数据审核人员": [
        "opendata.review_dataset",
        "opendata.answer_request",
        "opendata.moderate_comment",
        "opendata.view_opendataset",
        "catalog.view_dataresource",
    ],
    # 一网统管 (apps/governance): the command center's duty officer sees the province's
    # dashboards, reports the hand-reported indicators and configures topics; a city's
    # viewer sees the dashboard of their own city.
    "指挥中心值班员": [
        "governance.view_dashboard",
        "governance.view_province",
        "governance.report_indicator",
        "governance.manage_topics",
    ],
    "驾驶舱查看人员（本市）": ["governance.view_dashboard"],
    "系统管理员": [
        "identity.view_account",
        "identity.change_account",
        "identity.add_account",
        "identity.view_delegation",
        "identity.view_entitybinding",
        "identity.view_oidcsigningkey",
        "identity.verify_in_person",
        "auth.view_group",
        "auth.change_group",
        "audit.view_auditentry",
        "oauth2_provider.view_application",
        "oauth2_provider.add_application",
        "oauth2_provider.change_application",
        "organizations.view_organization",
        "organizations.change_organization",
    ],
}

# The demo logins `digigov seed --demo` creates (printed by `digigov demo_logins`).
DEMO_PASSWORDS: dict[str, str] = {
    "citizen": "Citizen@2025",
    "elder": "Elder@2025",
    "business": "Business@2025",
    "staff": "Staff@2025",
    "admin": "Admin@2025",
}

# the audit action of a successful or failed login (receivers.py); indicators 7-9 count it
LOGIN_ACTION = "identity.login"
