"""Rules import-linter cannot express: the domain modules stay free of web concerns."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "digigov"
FORBIDDEN = ("ninja", "django.http", "django.template", "django.shortcuts")
DOMAIN = {"services", "selectors", "models"}
# services.py or a services/ package (an app large enough to split by area)
DOMAIN_FILES = sorted(
    p
    for p in SRC.rglob("*.py")
    if p.stem in DOMAIN or (p.parent.name in DOMAIN and "migrations" not in p.parts)
)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_domain_files_exist():
    assert len(DOMAIN_FILES) >= 10


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_domain_module_imports_no_web_layer(path):
    bad = {
        name
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


TEMPLATES = sorted(SRC.rglob("templates/**/*.html"))


def test_template_comments_stay_on_one_line():
    """Django's {# #} comment ends at the line's end: a two-line one is printed on the page."""
    import re

    spread = [
        str(path.relative_to(SRC))
        for path in TEMPLATES
        if any("\n" in body for body in re.findall(r"\{#(.*?)#\}", path.read_text("utf-8"), re.S))
    ]
    assert len(TEMPLATES) > 50
    assert not spread, f"multi-line {{# #}} comments (use {{% comment %}}): {spread}"
