#!/usr/bin/env bash
# Runs every test file under test/ with Node's test runner. Node 20 does not expand
# globs itself, so the shell does (globstar).
set -euo pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."
# The CLI tests run the compiled CLI (much faster to start than tsx): build it first.
npx tsc -p tsconfig.build.json
files=(test/**/*.test.ts)
if [ ${#files[@]} -eq 0 ]; then echo "no test files found under test/" >&2; exit 1; fi
exec node --import tsx --test --test-concurrency=2 "$@" "${files[@]}"
