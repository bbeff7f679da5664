#!/bin/sh
# run.sh — run one libFuzzer target on its corpus without touching it.
#
# Usage: tests/fuzz/run.sh BIN SECONDS CORPUS [NEWDIR [ARTIFACTS]] [-- libFuzzer options]
#   BIN        the fuzz target (build/fuzz/fuzz_NAME)
#   SECONDS    total fuzzing time (-max_total_time), after every corpus
#              input has been run once
#   CORPUS     the corpus kept in the tree (tests/fuzz/corpus/NAME): read only
#   NEWDIR     where new interesting inputs go (default: a temporary
#              directory, removed at the end); merge them into the tree
#              with `make fuzz-merge` (-merge=1, see doc/hacking.md)
#   ARTIFACTS  where a crashing or timing-out input is saved (default:
#              the current directory); its path is printed on failure
#
# Exit status: 0 when nothing was found, non-zero otherwise (libFuzzer's).
# ASan's leak checker stays on (libFuzzer reports leaks as failures too).
set -eu
[ $# -ge 3 ] || { sed -n '4,15p' "$0" >&2; exit 2; }
bin=$1 secs=$2 corpus=$3
shift 3
newdir= artifacts=.
if [ $# -gt 0 ] && [ "$1" != -- ]; then newdir=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != -- ]; then artifacts=$1; shift; fi
[ $# -gt 0 ] && [ "$1" = -- ] && shift

tmp=
if [ -z "$newdir" ]; then
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/iat-fuzz-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT INT TERM
  newdir=$tmp
fi
mkdir -p "$newdir" "$artifacts"
name=$(basename "$bin")
# -timeout: one input taking longer is a finding; -rss_limit_mb: so is
# memory blow-up; -print_final_stats: the exec count for the log.
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts/$name-" "$@" "$newdir" "$corpus"
