"""Language planners: `common.py` and `scripting.py` shared by all, the Jinja templates' environment,
and one package per language (detect + plan and the helpers only it uses).

May import: msbrewrite.rules, msbrewrite.model, msbrewrite.support.
"""
