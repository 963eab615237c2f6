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
