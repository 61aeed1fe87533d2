#!/usr/bin/env bash
# Lints deploy/template.yaml and deploy/revoker-role.yaml with cfn-lint, the CloudFormation linter that
# comes with this machine's Python (1.51). It is checked, not installed:
# a missing or different major.minor version fails, so a lint that did not
# run never reads as a lint that passed.
set -euo pipefail
cd "$(dirname "$0")/.."
want=${CFN_LINT_VERSION:-1.51}
if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "cfn-lint.sh: cfn-lint is not installed (want $want.x, from the machine's Python)" >&2
  exit 1
fi
got=$(cfn-lint --version | awk '{print $2}')
case "$got" in
  "$want" | "$want".*) ;;
  *) echo "cfn-lint.sh: cfn-lint $got, want $want.x" >&2; exit 1 ;;
esac
cfn-lint deploy/template.yaml deploy/revoker-role.yaml
echo "cfn-lint $got: deploy/template.yaml deploy/revoker-role.yaml ok"
