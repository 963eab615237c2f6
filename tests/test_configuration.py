"""Every environment variable the settings read is documented in docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_variable_is_documented():
    settings_text = (ROOT / "src" / "digigov" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env(?:\.[a-z_]+)?\(\s*"([A-Z_]+)"', settings_text))
    assert "DIGIGOV_MASTER_KEY" in read and "DATABASE_URL" in read
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = sorted(name for name in read if f"`{name}`" not in documented)
    assert not missing, f"undocumented settings variables: {missing}"
