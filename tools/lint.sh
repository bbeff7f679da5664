#!/usr/bin/env bash
# lint.sh — escaping discipline, run by CTest (lint/escaping).
#  1. Reply text is written with buf_fmt(), which has no %s: a %s in a
#     buf_fmt/buf_vfmt format is a bug (it would abort at run time).
#  2. SQL is never built with printf: no sqlite3_mprintf / snprintf into a
#     string that is then prepared, except the reviewed places listed here.
#  3. Every raw insertion (%R, html_raw) is listed, so a review sees them all.
set -u
src="${1:-.}/src"
fail=0
if grep -nE 'buf_v?fmt\([^;]*"[^"]*%s' "$src"/*.c; then
  echo "lint: %s in a buf_fmt format (use %h, %U, %J or %R)"; fail=1
fi
if grep -nE 'sqlite3_(v)?mprintf|sqlite3_snprintf' "$src"/*.c; then
  echo "lint: SQL text built with printf; bind parameters instead"; fail=1
fi
raw=$(grep -cE '%R|html_raw' "$src"/*.c | awk -F: '{s+=$2} END {print s+0}')
echo "lint: $raw raw insertions (%R / html_raw) — each one reviewed"
if [ $fail -ne 0 ]; then exit 1; fi
echo "lint: ok"
