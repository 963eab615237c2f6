"""数据治理: quality rules, checks, reports and issues; the analytics workspace."""
