#!/usr/bin/env bash
# The pinned release tools make dist uses, built from the Go module proxy
# into $TOOLBIN (./bin, git-ignored): nfpm (.deb and .rpm) and
# cyclonedx-gomod (the SBOM). Reinstalled only when the pin changes.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLBIN=${TOOLBIN:-$PWD/bin}
install() { # NAME MODULE VERSION
  if ! [ -x "$TOOLBIN/$1" ] || ! [ "$(cat "$TOOLBIN/.$1.version" 2>/dev/null)" = "$3" ]; then
    echo "install-tools: go install $2@$3"
    mkdir -p "$TOOLBIN"
    GOBIN="$TOOLBIN" go install "$2@$3"
    echo "$3" > "$TOOLBIN/.$1.version"
  fi
}
install nfpm github.com/goreleaser/nfpm/v2/cmd/nfpm v2.48.0
install cyclonedx-gomod github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod v1.10.0
# make dist runs offline: every module of the build in the module cache.
go mod download
