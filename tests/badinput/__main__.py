"""Regenerate docs/bad-input.md from the entries: ``python -m tests.badinput``."""

from tests.badinput import DOCUMENT, document

DOCUMENT.write_text(document(), encoding="utf-8")
print(f"wrote {DOCUMENT}")
