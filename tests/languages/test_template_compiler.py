"""The templates compiled to plain Python render exactly what Jinja renders from the same source."""
from __future__ import annotations

import shutil
import types

import jinja2
import pytest

from msbrewrite.languages import template_compiler, templates
from msbrewrite.languages.template_compiler import TemplateCompileError, compile_templates
from msbrewrite.languages.template_runtime import Context
from snapshots import cases, run_case


def _load(source: str) -> types.ModuleType:
    module = types.ModuleType("compiled_under_test")
    exec(compile(source, "compiled_under_test", "exec"), module.__dict__)
    return module


def _render(module, name: str, **context) -> str:
    ctx = Context(context, templates.FILTERS)
    out: list[str] = []
    module.RENDER[name](ctx, out)
    return "".join(out)


def test_the_shipped_module_is_compiled_from_the_current_templates():
    assert template_compiler.main(["--check"]) == 0, "run: python -m msbrewrite.languages.template_compiler"


def test_every_snapshot_renders_the_same_through_jinja(monkeypatch):
    compiled = {case.name: run_case(case)[1] for case in cases()}
    monkeypatch.setattr(templates, "_compiled", lambda name: None)
    rendered = 0
    for case in cases():
        through_jinja = run_case(case)[1]
        assert through_jinja.text == compiled[case.name].text, case.name
        rendered += through_jinja.status == "converted"
    assert rendered > 200


def test_a_template_edited_after_compiling_renders_through_jinja(tmp_path, monkeypatch):
    for path in templates.templates_dir().glob("*.j2"):
        shutil.copy(path, tmp_path / path.name)
    runtime = tmp_path / "_runtime.Dockerfile.j2"
    runtime.write_text(runtime.read_text().replace("# runtime: {{ plan.runtime_base }}", "# edited"))
    go = tmp_path / "go.Dockerfile.j2"
    go.write_text(go.read_text().replace("only the Go binary", "the edited Go binary"))
    monkeypatch.setattr(templates, "templates_dir", lambda: tmp_path)
    monkeypatch.setattr(templates, "environment", templates.environment.__wrapped__)
    templates._compiled.cache_clear()
    try:
        plan = types.SimpleNamespace(artifacts=[], runtime_from_notes=[], runtime_platform=None,
                                     runtime_base="scratch", runtime_args=[], runtime_env=[], runtime_setup=[],
                                     workdir=None, runtime_meta=[], start_env=[], runtime_shell=None, user=None, comments={},
                                     healthcheck=None, entrypoint=None, cmd=["/app"])
        text = templates.render_template("go.Dockerfile.j2", plan=plan, builder="builder", debug=None)
    finally:
        templates._compiled.cache_clear()
    assert "the edited Go binary" in text and 'CMD ["/app"]' in text


def test_jinja_semantics_the_templates_rely_on(tmp_path):
    (tmp_path / "base.j2").write_text(
        "{%- block head %}base{% endblock %}|{{ v.missing is defined }}|{{ v.key }}|{{ items[1] }}"
        "|{% for x in items %}{{ x }}{% endfor %}|{{ 'a' ~ n }}|{{ none_value is none }}\n")
    (tmp_path / "child.j2").write_text(
        "{% extends 'base.j2' %}\n{%- block head %}{% set k = items | length %}child{{ k }}{% endblock %}\n")
    module = _load(compile_templates(tmp_path, set()))
    context = dict(v={"key": "K"}, items=["x", "y"], n=3, none_value=None)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    for name in ("base.j2", "child.j2"):
        assert _render(module, name, **context) == env.get_template(name).render(**context)
    assert _render(module, "child.j2", **context) == "child2|False|K|y|xy|a3|True\n"


def test_an_undefined_value_stops_the_render_as_jinja_does(tmp_path):
    (tmp_path / "t.j2").write_text("{{ plan.nothing }}")
    module = _load(compile_templates(tmp_path, set()))
    with pytest.raises(module.UndefinedError, match="nothing"):
        _render(module, "t.j2", plan=types.SimpleNamespace())


@pytest.mark.parametrize("source, what", [
    ("{{ x | upper }}", "the filter `upper`"),
    ("{% for x in y %}{{ loop.index }}{% endfor %}", "the `loop` variable"),
    ("{% macro m() %}{% endmacro %}", "Macro"),
    ("{{ x is odd }}", "the test `odd`"),
])
def test_a_construct_the_compiler_does_not_know_stops_it_with_the_line(tmp_path, source, what):
    (tmp_path / "t.j2").write_text("\n" + source)
    with pytest.raises(TemplateCompileError, match=rf"t\.j2:2: {what}"):
        compile_templates(tmp_path, set())
