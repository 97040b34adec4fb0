"""Bun: detection (`detect.py`), planning (`plan.py`) and the helpers only Bun uses.

May import: msbrewrite.languages.common, msbrewrite.languages.scripting, msbrewrite.rules,
msbrewrite.model, msbrewrite.support.
"""
