#!/usr/bin/env bash
# Signs (hardened runtime, secure timestamp) and notarises the darwin
# binaries given as arguments; make dist-darwin runs it as SIGN_HOOK in
# release.yml when MACOS_SIGN_P12 is set. The secrets it reads are named in
# .github/workflows/release.yml. A bare binary cannot be stapled: Gatekeeper
# checks the notarisation online on first run.
set -euo pipefail
: "${MACOS_SIGN_P12:?}" "${MACOS_SIGN_P12_PASSWORD:?}" "${MACOS_SIGN_IDENTITY:?}"
work=$(mktemp -d)
keychain="$work/sign.keychain-db"
kcpass=$(openssl rand -hex 16)
trap 'security delete-keychain "$keychain" 2>/dev/null || true; rm -rf "$work"' EXIT
printf '%s' "$MACOS_SIGN_P12" | base64 --decode > "$work/cert.p12"
security create-keychain -p "$kcpass" "$keychain"
security set-keychain-settings -lut 3600 "$keychain"
security unlock-keychain -p "$kcpass" "$keychain"
security import "$work/cert.p12" -k "$keychain" -P "$MACOS_SIGN_P12_PASSWORD" -T /usr/bin/codesign
security set-key-partition-list -S apple-tool:,apple: -s -k "$kcpass" "$keychain" >/dev/null
security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
for bin in "$@"; do
  codesign --force --options runtime --timestamp --keychain "$keychain" -s "$MACOS_SIGN_IDENTITY" "$bin"
  codesign --verify --strict "$bin"
done
if [ -n "${APPLE_NOTARY_KEY:-}" ]; then
  printf '%s' "$APPLE_NOTARY_KEY" | base64 --decode > "$work/notary.p8"
  for bin in "$@"; do
    (cd "$(dirname "$bin")" && zip -q "$work/notarise.zip" "$(basename "$bin")")
    xcrun notarytool submit "$work/notarise.zip" --key "$work/notary.p8" \
      --key-id "${APPLE_NOTARY_KEY_ID:?}" --issuer "${APPLE_NOTARY_ISSUER:?}" --wait
    rm -f "$work/notarise.zip"
  done
fi
