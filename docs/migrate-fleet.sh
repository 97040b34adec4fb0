#!/usr/bin/env bash
# Convert the Dockerfiles of several local git repositories, one branch and one commit per
# repository, with an HTML report for each; pushing and opening the pull requests is left to
# your runner (multi-gitter, git-xargs, a CI matrix, or the loop in the README).
#
#   docs/migrate-fleet.sh [--branch NAME] [--reports DIR] [--msb-option OPT]... REPO...
#
# A repository with uncommitted changes, or where the branch exists already, is skipped (named on
# stderr); one where nothing converts gets no branch. `--msb-option --debug-stage` passes an
# option on to `msb migrate` (repeatable). Set MSB to the msb command to run.
set -euo pipefail

branch="msb/multi-stage"
reports="${PWD}/msb-reports"
msb="${MSB:-msb}"
extra=()
repos=()
while [ $# -gt 0 ]; do
    case "$1" in
        --branch) branch="$2"; shift 2 ;;
        --reports) reports="$2"; shift 2 ;;
        --msb-option) extra+=("$2"); shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) repos+=("$1"); shift ;;
    esac
done
[ ${#repos[@]} -gt 0 ] || { echo "usage: $0 [--branch NAME] [--reports DIR] REPO..." >&2; exit 2; }
mkdir -p "$reports"
reports="$(cd "$reports" && pwd)"

status=0
for repo in "${repos[@]}"; do
    name="$(basename "$(cd "$repo" && pwd)")"
    if ! git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        echo "fleet: $repo: not a git repository: skipped" >&2; status=1; continue
    fi
    if [ -n "$(git -C "$repo" status --porcelain)" ]; then
        echo "fleet: $repo: uncommitted changes: skipped" >&2; status=1; continue
    fi
    if git -C "$repo" rev-parse --verify --quiet "refs/heads/$branch" >/dev/null; then
        echo "fleet: $repo: branch $branch exists already: skipped" >&2; status=1; continue
    fi
    start="$(git -C "$repo" symbolic-ref --quiet --short HEAD || git -C "$repo" rev-parse HEAD)"
    git -C "$repo" switch --quiet -c "$branch"
    report="$reports/$name.html"
    # exit 1 means some file failed: what converted is still committed, the report names the rest
    "$msb" migrate "$repo" --in-place --quiet --report "$report" ${extra[@]+"${extra[@]}"} || {
        rc=$?; [ "$rc" -eq 1 ] || { git -C "$repo" switch --quiet "$start"; git -C "$repo" branch --quiet -D "$branch"
                                    echo "fleet: $repo: msb failed (exit $rc)" >&2; status=1; continue; }
        status=1; }
    if [ -z "$(git -C "$repo" status --porcelain)" ]; then
        git -C "$repo" switch --quiet "$start"
        git -C "$repo" branch --quiet -D "$branch"
        echo "fleet: $repo: nothing to convert (report: $report)"
        continue
    fi
    git -C "$repo" add --update
    git -C "$repo" commit --quiet -m "Multi-stage Dockerfiles (msb migrate)" \
        -m "Each build now runs in a builder stage; the image ships only what the app needs. Report: $(basename "$report")"
    git -C "$repo" switch --quiet "$start"
    echo "fleet: $repo: committed on $branch (report: $report)"
done
exit "$status"
