"""README's settings table is the one generated from the Settings class: every setting, with
its default and meaning (regenerate with `python -m csms.settings_doc`)."""

from __future__ import annotations

from pathlib import Path

from csms.settings import Settings
from csms.settings_doc import END, START, rewrite, table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_holds_the_generated_settings_table() -> None:
    text = README.read_text()
    assert rewrite(text) == text, "README's settings table is stale: python -m csms.settings_doc"
    block = text.split(START, 1)[1].split(END, 1)[0]
    for name, field in Settings.model_fields.items():
        assert f"`CSMS_{name.upper()}`" in block, name
        assert field.description, f"{name} needs a description for the README"


def test_the_table_shows_defaults_and_escapes_pipes() -> None:
    rows = table().splitlines()
    assert rows[0] == "| variable | default | meaning |"
    assert "| `CSMS_API_PORT` | `8000` |" in table()
    assert "| `CSMS_REDIS_URL` | unset |" in table()
    assert all(row.count("|") - row.count("\\|") == 4 for row in rows)
