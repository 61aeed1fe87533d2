#!/usr/bin/env bash
# make dist: every release file, offline and reproducibly, into OUT (dist):
#   sentinel_V_{linux,darwin}_{amd64,arm64}.tar.gz, sentinel_V_windows_{amd64,arm64}.zip
#     (binary, README.md, LICENSE, completions/ for bash, zsh and fish),
#   sentinel_V_{amd64,arm64}.deb and sentinel-V.{x86_64,aarch64}.rpm (nfpm),
#   sentinel_V_{linux,darwin,windows}.cdx.json (CycloneDX SBOMs, cyclonedx-gomod),
#   sentinel.rb (Homebrew formula), SHA256SUMS,
#   and the bare binaries in OUT/bin/OS_ARCH/.
# Everything is built with CGO_ENABLED=0, so darwin has no keychain here;
# with -darwin-cgo (release.yml, on a macOS runner) only darwin is rebuilt
# with cgo, repackaged, and the SBOMs, formula and SHA256SUMS regenerated.
# Same commit, same bytes: -trimpath, an empty build ID, the commit's time
# (SOURCE_DATE_EPOCH) as every mtime, sorted archive entries, a fixed rpm
# build host.
set -euo pipefail
cd "$(dirname "$0")/.."

darwin_cgo=0
if [ "${1:-}" = -darwin-cgo ]; then darwin_cgo=1; shift; fi
out=${1:?usage: dist.sh [-darwin-cgo] OUT}
: "${VERSION:?}" "${COMMIT:?}" "${SOURCE_DATE_EPOCH:?}"
TOOLBIN=${TOOLBIN:-$PWD/bin}
for tool in nfpm cyclonedx-gomod; do
  [ -x "$TOOLBIN/$tool" ] || { echo "dist: $TOOLBIN/$tool missing: run make deps" >&2; exit 1; }
done

# Offline: every module must already be in the module cache (go mod download).
export GOPROXY=off GOFLAGS=-buildvcs=false GONOSUMDB= GOTOOLCHAIN=local TZ=UTC LC_ALL=C
tags=$(tr -s ' \n' ',' < internal/buildtags/tags.txt | sed 's/,$//')
stamp=github.com/sentinel-cli/sentinel/cli
ldflags="-s -w -buildid= -X $stamp.Version=$VERSION -X $stamp.Commit=$COMMIT -X $stamp.Date=$SOURCE_DATE_EPOCH"
ver=${VERSION#v}
# Package managers want a version that starts with a digit, and compare
# it with the releases': an untagged build (VERSION is then a commit such
# as 90cf856, which starts with a digit too) must sort below every
# release, or an installed test package would never be upgraded.
if [[ $ver =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]]; then pkgver=$ver; else pkgver=0.0.0~git${COMMIT}; fi
url=https://github.com/sentinel-cli/sentinel/releases/download/$VERSION

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/distpack" ./scripts/distpack

build() { # GOOS GOARCH CGO
  local dir="$out/bin/$1_$2" exe=sentinel
  [ "$1" = windows ] && exe=sentinel.exe
  mkdir -p "$dir"
  CGO_ENABLED=$3 GOOS=$1 GOARCH=$2 go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$dir/$exe" .
}

targets="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"
if [ $darwin_cgo = 1 ]; then
  [ "$(uname -s)" = Darwin ] || { echo "dist: -darwin-cgo needs macOS" >&2; exit 1; }
  targets="darwin/amd64 darwin/arm64"
  for t in $targets; do build "${t%/*}" "${t#*/}" 1; done
  # Sign and notarise here when the release has the secrets (release.yml).
  if [ -n "${SIGN_HOOK:-}" ]; then "$SIGN_HOOK" "$out"/bin/darwin_*/sentinel; fi
else
  rm -rf "$out"/*
  for t in $targets; do build "${t%/*}" "${t#*/}" 0; done
fi

# The completion scripts come from the binary itself (cli/completion.go):
# a host build prints them.
go build -trimpath -tags "$tags" -o "$work/sentinel-host" .
mkdir -p "$work/completions"
"$work/sentinel-host" completion bash > "$work/completions/sentinel.bash"
"$work/sentinel-host" completion zsh > "$work/completions/_sentinel"
"$work/sentinel-host" completion fish > "$work/completions/sentinel.fish"

for t in $targets; do
  os=${t%/*} arch=${t#*/} exe=sentinel ext=tar.gz
  [ "$os" = windows ] && exe=sentinel.exe ext=zip
  "$work/distpack" archive -o "$out/sentinel_${ver}_${os}_${arch}.$ext" -prefix "sentinel_${ver}_${os}_${arch}" \
    "$exe=$out/bin/${os}_${arch}/$exe" README.md=README.md LICENSE=LICENSE \
    completions/sentinel.bash="$work/completions/sentinel.bash" \
    completions/_sentinel="$work/completions/_sentinel" \
    completions/sentinel.fish="$work/completions/sentinel.fish"
done

if [ $darwin_cgo = 0 ]; then
  for arch in amd64 arm64; do
    cat > "$work/nfpm-$arch.yaml" <<YAML
name: sentinel
arch: $arch
platform: linux
version: $pkgver
version_schema: none
maintainer: sentinel maintainers <sentinel@users.noreply.github.com>
description: A policy-gated credential broker for AWS.
homepage: https://github.com/sentinel-cli/sentinel
license: MIT
section: utils
priority: optional
mtime: "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
rpm:
  buildhost: sentinel-release
contents:
  - {src: $out/bin/linux_$arch/sentinel, dst: /usr/bin/sentinel, file_info: {mode: 0755}}
  - {src: $PWD/README.md, dst: /usr/share/doc/sentinel/README.md, file_info: {mode: 0644}}
  - {src: $PWD/LICENSE, dst: /usr/share/doc/sentinel/LICENSE, file_info: {mode: 0644}}
  - {src: $work/completions/sentinel.bash, dst: /usr/share/bash-completion/completions/sentinel, file_info: {mode: 0644}}
  - {src: $work/completions/_sentinel, dst: /usr/share/zsh/vendor-completions/_sentinel, file_info: {mode: 0644}}
  - {src: $work/completions/sentinel.fish, dst: /usr/share/fish/vendor_completions.d/sentinel.fish, file_info: {mode: 0644}}
YAML
    rpmarch=x86_64; [ $arch = arm64 ] && rpmarch=aarch64
    "$TOOLBIN/nfpm" package -f "$work/nfpm-$arch.yaml" -p deb -t "$out/sentinel_${ver}_${arch}.deb" >/dev/null
    "$TOOLBIN/nfpm" package -f "$work/nfpm-$arch.yaml" -p rpm -t "$out/sentinel-${ver}.${rpmarch}.rpm" >/dev/null
  done
fi

# One SBOM per operating system: the module set differs by GOOS (dbus on
# Linux, wincred on Windows) and, for darwin, by cgo. cyclonedx-gomod takes
# the main module's version from git, and its git library can read neither a
# worktree nor a dirty tree as built: it reads a copy of the sources, committed
# at SOURCE_DATE_EPOCH and tagged VERSION.
src=$work/src
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$src"
(
  cd "$src"
  export GIT_AUTHOR_DATE="@$SOURCE_DATE_EPOCH" GIT_COMMITTER_DATE="@$SOURCE_DATE_EPOCH"
  git init -q && git add -A
  git -c user.name=sentinel-release -c user.email=release@invalid -c commit.gpgsign=false commit -qm "$VERSION"
  git -c tag.gpgsign=false tag "$VERSION"
)
for os in linux darwin windows; do
  cgo=0; [ $darwin_cgo = 1 ] && [ $os = darwin ] && cgo=1
  if [ $darwin_cgo = 1 ] && [ $os != darwin ]; then continue; fi
  GOOS=$os GOARCH=amd64 CGO_ENABLED=$cgo GOFLAGS="-buildvcs=false -tags=$tags" \
    "$TOOLBIN/cyclonedx-gomod" app -json -noserial -notimestamp -main . -output "$out/sentinel_${ver}_${os}.cdx.json" "$src" 2>"$work/cyclonedx.log" \
    || { cat "$work/cyclonedx.log" >&2; exit 1; }
done

# The formula from the archives' sums, then the sums of everything.
"$work/distpack" sums -o "$work/archive-sums" "$out"/*.tar.gz
"$work/distpack" formula -o "$out/sentinel.rb" -version "$VERSION" -url "$url" -sums "$work/archive-sums"
rm -f "$out/SHA256SUMS"
"$work/distpack" sums -o "$work/SHA256SUMS" "$out"/*.tar.gz "$out"/*.zip "$out"/*.deb "$out"/*.rpm "$out"/*.cdx.json "$out/sentinel.rb"
mv "$work/SHA256SUMS" "$out/SHA256SUMS"
echo "dist: $(ls "$out" | grep -vc '^bin$') files in $out"
