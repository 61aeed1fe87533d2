#!/usr/bin/env bash
# make dist-check: make dist (and make lambda for arm64 and amd64) twice,
# into two fresh directories, and compare every file byte for byte; a
# difference names the file and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${VERSION:?}" "${COMMIT:?}" "${SOURCE_DATE_EPOCH:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./scripts/dist.sh "$work/one" >/dev/null
./scripts/dist.sh "$work/two" >/dev/null
# The Lambda bundles too (make lambda), for both architectures.
for arch in arm64 amd64; do
  ./scripts/build-lambda.sh $arch "$work/one/lambda-$arch"
  ./scripts/build-lambda.sh $arch "$work/two/lambda-$arch"
done
(cd "$work/one" && find . -type f | sort) > "$work/one.list"
(cd "$work/two" && find . -type f | sort) > "$work/two.list"
if ! cmp -s "$work/one.list" "$work/two.list"; then
  echo "dist-check: the two runs wrote different files:" >&2
  diff "$work/one.list" "$work/two.list" >&2 || true
  exit 1
fi
status=0
while read -r f; do
  cmp -s "$work/one/$f" "$work/two/$f" || { echo "dist-check: $f differs between two runs" >&2; status=1; }
done < "$work/one.list"
[ $status = 0 ] && echo "dist-check: $(wc -l < "$work/one.list") files, byte-identical across two runs"
exit $status
