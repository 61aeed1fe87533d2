#!/usr/bin/env bash
# The credential_process warm path as a whole process, against a trivial
# baseline process, medians over repeated runs (see internal/warmbench).
# COMPARE=/path/to/an/earlier/sentinel measures that binary in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./internal/warmbench -sentinel ./sentinel -runs "${RUNS:-200}" ${COMPARE:+-compare "$COMPARE"}
