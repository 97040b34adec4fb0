"""PHP: detection (`detect.py`), planning (`plan.py`) and the helpers only PHP uses.

May import: msbrewrite.languages.common, msbrewrite.languages.scripting, msbrewrite.rules,
msbrewrite.model, msbrewrite.support.
"""
