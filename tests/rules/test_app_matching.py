"""The rule matcher: one per list of rules (equal lists share it), each path matched once."""
import fnmatch

from hypothesis import given, strategies as st

from msbrewrite.rules import app_matching
from msbrewrite.rules.app_matching import Rule, RuleMatcher, matcher, name_matches

RULES = [Rule("*.go", "Go sources"), Rule("./vendor", "vendored modules"), Rule("testdata", "test data")]
PATHS = ["main.go", "vendor/x/y.txt", "cmd/testdata/a.json", "static/index.html", "vendor", "a/vendor/b"]


def test_equal_rule_lists_share_one_matcher_and_its_answers():
    first, second = list(RULES), list(RULES)     # two Dockerfiles' plans, built apart
    assert matcher(first) is matcher(second)
    assert matcher(first) is not matcher(RULES[:2])


def test_a_remembered_answer_is_the_answer_worked_out_afresh():
    shared = matcher(list(RULES))
    for names_only in (False, True):
        for _ in range(2):
            for rel in PATHS:
                assert shared.matching(rel, names_only) == RuleMatcher(RULES).matching(rel, names_only), rel
    assert shared.first("vendor/x/y.txt") == Rule("./vendor", "vendored modules")
    assert shared.first("a/vendor/b") is None


def test_past_the_bound_paths_are_matched_again_not_remembered(monkeypatch):
    monkeypatch.setattr(app_matching, "MAX_REMEMBERED", 0)
    fresh = RuleMatcher(RULES)
    assert fresh.any("main.go") and fresh.any("main.go")
    assert fresh._by_path == {}

_NAME = st.text(alphabet="ab.*?[]-_x", max_size=8)
_LITERAL = st.text(alphabet="ab.-_x", max_size=5)


@given(_NAME, st.one_of(_LITERAL, _LITERAL.map(lambda s: "*" + s), _LITERAL.map(lambda s: s + "*"),
                        _NAME.filter(lambda p: p and p[0] not in "]")))
def test_a_name_matches_a_rule_glob_exactly_as_fnmatchcase_says(name, pattern):
    # the shortcuts for literal, `*suffix` and `prefix*` globs answer as the full glob matcher
    assert name_matches(name, pattern) == fnmatch.fnmatchcase(name, pattern)
