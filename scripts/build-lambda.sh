#!/usr/bin/env bash
# make lambda: the team service's AWS Lambda bootstrap for the
# provided.al2023 runtime, for ARCH (arm64 or amd64), on any machine: a
# static binary (CGO_ENABLED=0), so nothing needs building on Amazon Linux.
#   [LAMBDA_ZIP=FILE] build-lambda.sh ARCH OUTDIR [PKG]
# writes OUTDIR/bootstrap and the zip LAMBDA_ZIP (default
# OUTDIR/sentinel-lambda-ARCH.zip; bootstrap at the zip's root, mode 0755,
# SOURCE_DATE_EPOCH time: the same bytes from the same commit). make lambda
# puts the zip outside deploy/build, the template's CodeUri, so that the
# package SAM uploads holds the function's files and nothing else. PKG (default: sentinel itself) lets the Lambda emulator tests
# build their echo function with this same recipe (internal/lambdarie).
set -euo pipefail
arch=${1:?usage: build-lambda.sh ARCH OUTDIR [PKG]}
out=${2:?usage: build-lambda.sh ARCH OUTDIR [PKG]}
pkg=${3:-.}
case "$arch" in arm64|amd64) ;; *) echo "build-lambda: ARCH must be arm64 or amd64, not $arch" >&2; exit 1 ;; esac
mkdir -p "$out"
out=$(cd "$out" && pwd)
zip=${LAMBDA_ZIP:-$out/sentinel-lambda-$arch.zip}
mkdir -p "$(dirname "$zip")"
zip=$(cd "$(dirname "$zip")" && pwd)/$(basename "$zip")
case "$pkg" in /*|.) ;; ./*|../*) pkg=$(cd "$pkg" && pwd) ;; esac
cd "$(dirname "$0")/.."
[ "$pkg" = . ] && pkg=$PWD

VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}
COMMIT=${COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
tags=$(tr -s ' \n' ',' < internal/buildtags/tags.txt | sed 's/,$//')
stamp=github.com/sentinel-cli/sentinel/cli
# lambda.norpc (in the tag set) leaves out the RPC mode only the retired
# go1.x runtime used.
CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -tags "$tags" \
  -ldflags "-s -w -buildid= -X $stamp.Version=$VERSION -X $stamp.Commit=$COMMIT -X $stamp.Date=$SOURCE_DATE_EPOCH" \
  -o "$out/bootstrap" "$pkg"
go run ./scripts/distpack archive -o "$zip" -epoch "$SOURCE_DATE_EPOCH" bootstrap="$out/bootstrap"
