"""Vocabularies of 一网统管, shared by models, services, selectors, pages and the API."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
PROVINCE_CODE = "440000"

CATEGORIES: dict[str, str] = {
    "performance": "数字化履职能力",
    "driving": "数字化驱动能力",
    "support": "数字化支撑能力",
}

KINDS: dict[str, str] = {"computed": "平台计算", "reported": "人工填报"}
DIRECTIONS: dict[str, str] = {"up": "越大越好", "down": "越小越好"}

# The plan's five government functions (经济调节、市场监管、社会管理、公共服务、生态环境保护):
# a topic belongs to one; the sectors (department lines) it covers feed indicator 10.
FUNCTIONS: dict[str, str] = {
    "economy": "经济调节",
    "market": "市场监管",
    "social": "社会管理",
    "public_service": "公共服务",
    "ecology": "生态环境保护",
}

# Permissions (on the Indicator model's Meta)
VIEW_DASHBOARD = "governance.view_dashboard"
VIEW_PROVINCE = "governance.view_province"
REPORT_INDICATOR = "governance.report_indicator"
MANAGE_TOPICS = "governance.manage_topics"
SCOPE_READ = "governance:read"

HISTORY_DAYS = 30
