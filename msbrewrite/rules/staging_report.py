"""What the report says about a staged app directory: how many files it keeps and, by kind, the
build-only paths it leaves out (at the level a rule removed them), the plain .env files kept and
the secret-looking files dropped.
"""
from __future__ import annotations


from msbrewrite.model.plan import BuildPlan
from msbrewrite.rules.app_matching import Rule, build_only, matcher, name_matches
from msbrewrite.rules.staging_secrets import Secrets


def report(plan: BuildPlan, appdir: str, files: list[str] | None, rules: list[Rule], skip: list[str],
            secrets: Secrets, unlisted: list[str] = ()) -> None:
    """`unlisted`: folders of `appdir` holding committed assets the context walk does not enter
    (`dist/`, `vendor/`), copied with it although none of their files is counted."""
    if files is None:
        kinds = dict.fromkeys(r.kind for r in rules)
        plan.decisions.append(f"{appdir} is copied without build-only files, removed by name in the builder "
                              f"({'; '.join(kinds)}; .env files)")
        return
    left: dict[str, list[str]] = {}
    for f in files:
        rule = matcher(rules).first(f)
        if rule is not None:
            shown = _shown(f, rule)
            bucket = left.setdefault(rule.kind, [])
            if shown not in bucket:
                bucket.append(shown)
    kept = len([f for f in files if not build_only(f, rules, skip)])
    parts = [f"{kind}: {', '.join(names[:5])}" + (f" and {len(names) - 5} more" if len(names) > 5 else "")
             for kind, names in left.items()]
    held = f", committed assets in {', '.join(d + '/' for d in unlisted)} (not counted)" if unlisted else ""
    plan.decisions.append(f"{appdir} is copied ({kept} file(s) from the context{held} and what the build wrote there)"
                          + (" without " + "; ".join(parts) if parts else ""))
    if secrets.plain_env:
        plan.decisions.append(f"{', '.join(secrets.plain_env)} kept: configuration with nothing that looks like a secret")
    if secrets.drop:
        plan.decisions.append(f"{appdir}: left out, as secret-looking files the app does not read: "
                              + ", ".join(secrets.drop))


def _shown(rel: str, rule: Rule) -> str:
    """The path a rule removed, at the level it removed it (a directory, or a file pattern)."""
    parts = rel.split("/")
    for i in range(len(parts)):
        head = "/".join(parts[:i + 1])
        if rule.pattern.startswith("./") and name_matches(head, rule.pattern[2:]):
            return head + ("/" if i < len(parts) - 1 else "")
        if not rule.pattern.startswith("./") and name_matches(parts[i], rule.pattern):
            if i < len(parts) - 1:
                return head + "/"
            return rule.pattern if "*" in rule.pattern else head
    return rel
