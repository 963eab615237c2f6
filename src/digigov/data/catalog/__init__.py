"""数据目录: data resources with fields, classification and grading, review and publication."""
