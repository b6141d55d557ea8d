#!/bin/sh
# Veil's git pre-commit hook (README "CI gate and scripting"): refuses a commit that touches a Veil dataset while any of
# its images is not anonymized by Veil (unreviewed, reviewed but not committed, or unreadable), naming each image.
# A dataset is a folder holding `.veil/`; the hook checks every dataset that holds a staged path (added, copied,
# modified or renamed), with `veil status <dataset> --require committed`.
#
# Install: cp docs/pre-commit/git-hook.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
# Settings, from the environment:
#   VEIL_CLI      how to run veil (default: `veil` when it is on PATH, else `npx --no-install veil`: never a download)
#   VEIL_REQUIRE  reviewed | committed (default) | verified (also runs `veil verify`: slower on large datasets)
# Skip it once, answering for it yourself: git commit --no-verify
set -eu
set -f # dataset names are never globbed

require=${VEIL_REQUIRE:-committed}
if [ -n "${VEIL_CLI:-}" ]; then
  veil=$VEIL_CLI
elif command -v veil >/dev/null 2>&1; then
  veil=veil
else
  veil='npx --no-install veil'
fi

cd "$(git rev-parse --show-toplevel)"

# The nearest folder holding .veil/ above each staged path, once each.
datasets=$(git -c core.quotePath=false diff --cached --name-only --diff-filter=ACMR | while IFS= read -r path; do
  dir=$(dirname -- "$path")
  while :; do
    if [ -d "$dir/.veil" ]; then
      printf '%s\n' "$dir"
      break
    fi
    [ "$dir" = . ] && break
    dir=$(dirname -- "$dir")
  done
done | sort -u)

[ -n "$datasets" ] || exit 0

refused=0
newline='
'
words_ifs=$IFS
IFS=$newline
for dataset in $datasets; do
  IFS=$words_ifs # $veil may be several words (npx --no-install veil)
  # shellcheck disable=SC2086
  if ! $veil status "$dataset" --require "$require"; then
    refused=1
  fi
done

if [ "$refused" -ne 0 ]; then
  echo "veil pre-commit: commit refused: every image of a dataset must be $require by Veil before it enters git (veil detect, review, veil commit; or veil exclude with a reason)" >&2
  exit 1
fi
