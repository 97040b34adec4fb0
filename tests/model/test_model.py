"""The lossless model: exact round trips and the logical values BuildKit would see."""
import pytest

from msbrewrite.model.dockerfile import ParseError, expand, parse, parse_key_values, referenced_vars


def roundtrip(text):
    df = parse(text)
    assert df.render() == text
    return df


def kw(df):
    return [i.keyword for i in df.instructions]


# ------------------------------------------------------------- directives

def test_escape_backtick_continues_lines_and_keeps_backslashes():
    text = "# escape=`\n\nFROM mcr/base\nRUN dir C:\\ `\n    && echo done\nENV P C:\\tools\\\n"
    df = roundtrip(text)
    assert df.escape == "`"
    assert df.directive("escape") == "`"
    run = df.instructions[1]
    assert (run.lineno, run.end_lineno) == (4, 5)
    assert run.args == "dir C:\\     && echo done"
    # a trailing backslash is an ordinary character once the escape is a backtick
    assert df.instructions[2].args == "P C:\\tools\\"


def test_directives_are_case_insensitive_and_may_be_indented():
    df = roundtrip("  # ESCAPE = `\n# syntax=docker/dockerfile:1\nFROM a\nRUN x`\n y\n")
    assert df.escape == "`"
    assert [d.name for d in df.directives] == ["escape", "syntax"]
    assert df.instructions[1].end_lineno == 5


def test_directive_after_a_comment_or_blank_line_is_a_comment():
    for text in ("#\n# escape=`\nFROM a\nRUN x`\n", "\n# escape=`\nFROM a\nRUN x`\n"):
        df = roundtrip(text)
        assert df.escape == "\\" and df.directives == []
        assert df.instructions[-1].args == "x`"


def test_unknown_directive_ends_the_directive_block():
    df = roundtrip("# foo=bar\n# escape=`\nFROM a\n")
    assert df.escape == "\\"


def test_empty_escape_value_is_a_comment():
    assert roundtrip("# escape=\nFROM a\n").directives == []


def test_bad_escape_and_duplicate_directive_are_parse_errors():
    with pytest.raises(ParseError, match="escape"):
        parse("# escape=x\nFROM a\n")
    with pytest.raises(ParseError, match="only one escape"):
        parse("# escape=`\n# escape=\\\nFROM a\n")


# ------------------------------------------------------------- continuations and trivia

def test_comments_and_blank_lines_inside_a_continuation_are_skipped():
    text = "FROM a\nRUN apt-get update \\\n# pin later\n\n    && apt-get install -y curl\n"
    df = roundtrip(text)
    run = df.instructions[1]
    assert (run.lineno, run.end_lineno) == (2, 5)
    assert "pin later" not in run.args
    assert run.args.endswith("&& apt-get install -y curl")


def test_comment_ending_in_backslash_does_not_continue():
    df = roundtrip("FROM a\n# note \\\nRUN x\n")
    assert kw(df) == ["FROM", "RUN"]
    assert df.instructions[1].leading == "# note \\\n"


@pytest.mark.parametrize("head", ["# escape=`\r \n", "# escape=`\f\n", "#\rescape=`\n", "# escape\r=`\n"])
def test_a_directive_spaced_with_cr_or_form_feed_is_read_as_buildkit_reads_it(head):
    # BuildKit's directive pattern separates with Go's \s, which takes \r and \f as well as spaces
    df = parse(head + "FROM x\nRUN a `\nb\n")
    assert df.escape == "`"
    assert [(i.keyword, i.lineno, i.end_lineno) for i in df.instructions] == [("FROM", 2, 2), ("RUN", 3, 4)]


def test_doubled_escape_at_end_is_literal_not_a_continuation():
    df = roundtrip("FROM a\nENV C trailing\\\\\nENV D next\n")
    assert kw(df) == ["FROM", "ENV", "ENV"]
    assert df.instructions[1].end_lineno == 2


def test_line_of_only_the_escape_continues():
    df = roundtrip("FROM a\nENV E hello\\\n\\\nworld\n")
    assert df.instructions[1].end_lineno == 4
    assert df.instructions[1].args == "E helloworld"


def test_continuation_at_end_of_file():
    df = roundtrip("FROM a\nRUN x \\")
    assert df.instructions[1].args == "x"


def test_blank_lines_and_trailing_trivia_are_kept():
    text = "\n\n# head\nFROM a\n\n\n   \nRUN x\n\n# tail\n"
    df = roundtrip(text)
    assert df.instructions[0].leading == "\n\n# head\n"
    assert df.trailing == "\n# tail\n"


def test_unicode_whitespace_counts_as_blank_like_buildkit():
    df = roundtrip("FROM a\n\u00a0\nRUN\tx\n\x0cRUN y\n")
    assert kw(df) == ["FROM", "RUN", "RUN"]
    assert df.instructions[2].args == "y"


# ------------------------------------------------------------- instructions

def test_lowercase_instructions():
    df = roundtrip("from golang:1.22 as build\nrun go build\ncmd [\"/app\"]\n")
    assert kw(df) == ["FROM", "RUN", "CMD"]
    assert df.stages[0].name == "build"
    assert df.instructions[2].json_args == ["/app"]


def test_json_and_shell_form():
    df = roundtrip('FROM a\nCMD ["a", "b c"]\nCMD a "b c"\nCMD ["a",]\nENTRYPOINT []\n')
    cmd_json, cmd_shell, cmd_bad, entry = df.instructions[1:]
    assert cmd_json.json_args == ["a", "b c"] and cmd_json.is_json
    assert cmd_shell.json_args is None and cmd_shell.args == 'a "b c"'
    assert cmd_bad.json_args is None      # not valid JSON: shell form, as BuildKit reads it
    assert entry.json_args == []


def test_json_array_of_non_strings_is_an_error():
    with pytest.raises(ParseError, match="strings only"):
        parse('FROM a\nCMD ["a", 1]\n')


def test_text_after_a_json_array_is_ignored_like_buildkit():
    assert parse('FROM a\nCMD ["a"] trailing\n').instructions[1].json_args == ["a"]


def test_flags_quoted_repeated_and_terminated():
    df = roundtrip('FROM --platform=$BUILDPLATFORM a\n'
                   'COPY --from=build --chown="app:app" /src /dst\n'
                   'RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=npm npm ci\n'
                   'RUN --network=none -- --not-a-flag\n')
    frm, copy, run, run2 = df.instructions
    assert frm.flags == {"platform": "$BUILDPLATFORM"} and frm.args == "a"
    assert copy.flags == {"from": "build", "chown": "app:app"}
    assert copy.args == "/src /dst"
    assert [v for k, v in run.flag_list if k == "mount"] == ["type=cache,target=/root/.cache", "type=secret,id=npm"]
    assert run.args == "npm ci"
    assert run2.flags == {"network": "none"} and run2.args == "--not-a-flag"


def test_healthcheck_flags_and_exec_form():
    df = roundtrip('FROM a\nHEALTHCHECK --interval=5s --retries=3 CMD ["curl", "-f", "http://x/"]\n')
    hc = df.instructions[1]
    assert hc.flags == {"interval": "5s", "retries": "3"}
    assert hc.json_args == ["curl", "-f", "http://x/"]


def test_args_before_from_are_global():
    df = roundtrip("ARG GO=1.22\nARG BASE\nFROM golang:${GO}\nARG GO\nRUN go version\n")
    assert [i.keyword for i in df.global_args] == ["ARG", "ARG"]
    assert len(df.stages) == 1 and df.stages[0].image == "golang:${GO}"


def test_onbuild_keeps_its_trigger_parsed():
    df = roundtrip('FROM a\nONBUILD RUN ["make"]\nONBUILD COPY --chown=1 . /src\n')
    run, copy = df.instructions[1:]
    assert run.keyword == "ONBUILD" and run.sub.keyword == "RUN" and run.sub.json_args == ["make"]
    assert copy.sub.flags == {"chown": "1"} and copy.sub.args == ". /src"


# ------------------------------------------------------------- heredocs

@pytest.mark.parametrize("opener,terminator", [
    ("<<EOF", "EOF"), ('<<"EOF"', "EOF"), ("<<'EOF'", "EOF"), ("<<-EOF", "\tEOF"), ("2<<EOF", "EOF"),
])
def test_heredoc_forms(opener, terminator):
    text = f"FROM a\nRUN cat {opener} > /x\nline one\n{terminator}\nRUN next\n"
    df = roundtrip(text)
    run = df.instructions[1]
    assert (run.lineno, run.end_lineno) == (2, 4)
    assert run.heredocs == [f"line one\n{terminator}\n"]
    assert kw(df) == ["FROM", "RUN", "RUN"]


def test_two_heredocs_on_one_line():
    df = roundtrip("FROM a\nCOPY <<A <<B /dst/\na\nA\nb\nB\n")
    assert df.instructions[1].heredocs == ["a\nA\n", "b\nB\n"]


def test_not_heredocs():
    # quoted, glued to another word, a here-string, or in exec form: no body follows
    for line in ('RUN echo "<<EOF"', "RUN cat x<<EOF", "RUN cat <<<EOF", 'RUN ["cat", "<<EOF"]', "RUN cat << EOF"):
        df = roundtrip(f"FROM a\n{line}\nRUN y\n")
        assert kw(df) == ["FROM", "RUN", "RUN"], line
        assert df.instructions[1].heredocs == []


def test_heredoc_only_on_run_copy_add():
    df = roundtrip("FROM a\nCMD cat <<EOF\n")
    assert df.instructions[1].heredocs == []


def test_unterminated_heredoc_is_a_parse_error():
    with pytest.raises(ParseError, match="never closed"):
        parse("FROM a\nRUN cat <<EOF\nx\n")


# ------------------------------------------------------------- bytes on the edge

def test_crlf_round_trips_and_values_have_no_carriage_returns():
    text = "FROM a\r\nRUN a \\\r\n    b\r\nCMD [\"x\"]\r\n"
    df = roundtrip(text)
    assert df.instructions[1].args == "a     b"
    assert df.instructions[2].json_args == ["x"]


def test_bom_is_kept_and_not_part_of_the_keyword():
    df = roundtrip("\ufeff# escape=`\nFROM a\n")
    assert df.bom == "\ufeff" and df.escape == "`" and kw(df) == ["FROM"]


def test_no_trailing_newline():
    df = roundtrip("FROM a\nCMD x")
    assert df.instructions[1].args == "x"


def test_nul_bytes_are_refused():
    with pytest.raises(ParseError, match="binary"):
        parse("FROM a\x00\n")


def test_unicode_and_long_lines_round_trip():
    text = "FROM a\nLABEL desc=\"caf\u00e9 \u2603 \U0001f433\"\nRUN echo " + "x" * 200_000 + "\n"
    df = roundtrip(text)
    assert len(df.instructions[2].args) == 200_005


def test_dangling_continuation_is_a_clear_error():
    with pytest.raises(ParseError, match="continuation"):
        parse("FROM a\n\\\n")


# ------------------------------------------------------------- variables

@pytest.mark.parametrize("value,env,want", [
    ("$A/bin", {"A": "/opt"}, "/opt/bin"),
    ("${A}x", {"A": "1"}, "1x"),
    ("${A:-def}", {}, "def"),
    ("${A:-def}", {"A": ""}, "def"),
    ("${A-def}", {"A": ""}, ""),
    ("${A:+set}", {"A": "1"}, "set"),
    ("${A:+set}", {}, ""),
    ("${A:-${B:-deep}}", {}, "deep"),
    ("$UNKNOWN/x", {}, "/x"),
])
def test_expand(value, env, want):
    assert expand(value, env) == want


def test_referenced_vars():
    assert referenced_vars("${A:-x} $B ${C}") == {"A", "B", "C"}


def test_key_values_both_forms():
    assert parse_key_values('A=1 B="x y"') == [("A", "1"), ("B", "x y")]
    assert parse_key_values("KEY some value") == [("KEY", "some value")]


def test_absurdly_nested_expansions_are_refused_not_crashed():
    from msbrewrite import convert
    deep = "${A:-" * 3000 + "x" + "}" * 3000
    with pytest.raises(ParseError, match="nested too deeply"):
        parse(f"FROM a\nRUN echo {deep} <<EOF\nx\nEOF\n")
    result = convert(f"FROM golang:1.22\nENV X={deep}\nRUN go build -o /a .\nCMD [\"/a\"]\n")
    assert result.status == "refused" and result.reason_code == "too-complex"
