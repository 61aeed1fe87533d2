#!/usr/bin/env bash
# The credential_process warm path as a whole process, against a trivial
# baseline process, medians over repeated runs (see internal/warmbench).
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./internal/warmbench -sentinel ./sentinel -runs "${RUNS:-200}"
