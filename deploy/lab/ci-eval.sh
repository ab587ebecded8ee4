#!/usr/bin/env bash
# The evaluation CI runs after the test suite (.ci/run), to be run as is before submitting:
# a random lab corpus drawn from a seed that changes with every commit, scored against the
# quality bars. Root (the lab builds network namespaces); on a fresh machine it first runs
# `./rstscope setup`, which as root installs libpcap and the lab's tools and builds.
#
#   deploy/lab/ci-eval.sh [--seed S] [--out DIR]
#
# --seed S   replay that seed (default: the first 8 hex digits of HEAD's commit id, as a number)
# --out DIR  where the corpus goes (default: a new folder under /tmp, kept for inspection)
# Exit status: the score command's (0 bars met, 1 not met, 2 bad input), or the lab's when it failed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

# The evaluation CI runs: keep these in one place so the printed replay commands are exact.
COUNT=1000
MAX_SECONDS=300
BARS=(--min-location 99 --min-forged 99 --min-cause 95 --max-false-forged 0)

die() { echo "ci-eval: $*" >&2; exit 2; }

seed=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) [ $# -ge 2 ] || die "--seed wants a number"; seed="$2"; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out wants a folder"; out="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (--seed S, --out DIR)" ;;
  esac
done
[ "$(id -u)" = 0 ] || die "the lab needs root (network namespaces): sudo $0 $*"

if [ -z "$seed" ]; then
  commit="$(git rev-parse HEAD 2>/dev/null)" || die "not a git clone: give --seed S"
  seed=$((16#${commit:0:8}))
  echo "evaluation seed $seed (commit $commit)"
else
  [[ "$seed" =~ ^[0-9]+$ ]] || die "--seed wants a non-negative number, not '$seed'"
  echo "evaluation seed $seed (given)"
fi
if [ -z "$out" ]; then
  out="$(mktemp -d /tmp/rstscope-eval-"$seed".XXXX)"
fi

random_cmd=(./rstscope lab random --seed "$seed" --max-seconds "$MAX_SECONDS" --count "$COUNT" --out "$out")
score_cmd=(./rstscope lab score "$out" "${BARS[@]}")
echo "replay this evaluation exactly: deploy/lab/ci-eval.sh --seed $seed"
echo "  which runs: ${random_cmd[*]}"
echo "         and: ${score_cmd[*]}"

./rstscope setup

lab_status=0
"${random_cmd[@]}" || lab_status=$?
if [ "$lab_status" -ne 0 ]; then
  echo "ci-eval: lab random failed (exit $lab_status); nothing scored"
  exit "$lab_status"
fi

score_status=0
"${score_cmd[@]}" || score_status=$?
echo "ci-eval: score exit $score_status; corpus and score-details.txt kept in $out"
exit "$score_status"
