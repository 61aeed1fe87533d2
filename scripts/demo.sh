#!/usr/bin/env bash
# make demo: sentinel's main job, offline. An STS stand-in runs on loopback;
# alice and bob each get a temporary HOME with a file keyring, and share the
# embedded approval store. Nothing here reaches AWS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sentinel="$root/sentinel"
work=$(mktemp -d)
standin_pid=""
cleanup() {
  [ -n "$standin_pid" ] && kill "$standin_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*"; }

# The stand-in knows two fake IAM users. The keys are obviously not real.
cd "$root"
go build -o "$work/sts-standin" ./internal/fakests/cmd/sts-standin
cat > "$work/users.json" <<JSON
[{"access_key_id": "AKIAFAKEDEMOALICE01", "arn": "arn:aws:iam::111122223333:user/alice", "account": "111122223333"},
 {"access_key_id": "AKIAFAKEDEMOBOB0001", "arn": "arn:aws:iam::111122223333:user/bob", "account": "111122223333"},
 {"access_key_id": "AKIAFAKEDEMOCAROL01", "arn": "arn:aws:iam::111122223333:user/carol", "account": "111122223333"}]
JSON
"$work/sts-standin" --listen 127.0.0.1:0 --users "$work/users.json" >"$work/standin.out" 2>"$work/standin.log" &
standin_pid=$!
for _ in $(seq 50); do grep -q listening "$work/standin.out" 2>/dev/null && break; sleep 0.1; done
sts_url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/standin.out")

cp "$root/scripts/demo/policy.yaml" "$work/policy.yaml"
# person NAME: set up a HOME with an AWS config, the shared policy and store.
person() {
  local home="$work/$1"
  mkdir -p "$home/.aws" "$home/.config/sentinel"
  cat > "$home/.aws/config" <<INI
[default]
region = eu-west-1

[profile dev]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/dev

[profile prod]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/prod
INI
  printf 'policy: %s\nstore:\n  backend: local\n  path: %s\n' "$work/policy.yaml" "$work/shared-state.db" > "$home/.config/sentinel/config.yaml"
}
# as NAME CMD...: run a command as that person.
as() {
  local name=$1; shift
  env -i PATH="$PATH" HOME="$work/$name" TERM="${TERM:-dumb}" SHELL=/bin/sh \
    AWS_CONFIG_FILE="$work/$name/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$work/$name/.aws/credentials" \
    AWS_ENDPOINT_URL_STS="$sts_url" AWS_EC2_METADATA_DISABLED=true \
    SENTINEL_BACKEND=file SENTINEL_FILE_PASSPHRASE=demo-only-passphrase "$@"
}
person alice
person bob
person carol

step "STS stand-in listening at $sts_url; alice and bob store their (fake) keys in a file keyring"
show "sentinel add --env default"
as alice env AWS_ACCESS_KEY_ID=AKIAFAKEDEMOALICE01 AWS_SECRET_ACCESS_KEY=demo-secret-not-real "$sentinel" add --env default
as bob env AWS_ACCESS_KEY_ID=AKIAFAKEDEMOBOB0001 AWS_SECRET_ACCESS_KEY=demo-secret-not-real "$sentinel" add --env default
as carol env AWS_ACCESS_KEY_ID=AKIAFAKEDEMOCAROL01 AWS_SECRET_ACCESS_KEY=demo-secret-not-real "$sentinel" add --env default

step "The policy: validated, then asked who may do what"
show "sentinel policy validate"
as alice "$sentinel" policy validate "$work/policy.yaml"
show "sentinel policy check --profile prod --user alice"
as alice "$sentinel" --policy "$work/policy.yaml" policy check --profile prod --user alice || true

step "alice runs a command on dev: allowed, with short-lived credentials stamped with her identity"
show "sentinel exec dev -- env | grep AWS_   (secrets shortened here)"
as alice "$sentinel" exec dev -- sh -c 'env | grep -E "^(AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|CREDENTIAL_EXPIRATION|REGION|DEFAULT_REGION)|SENTINEL_PROFILE)=" | sort' |
  sed -E 's/^(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)=(.{6}).*/\1=\2…/'

step "alice tries prod: the policy requires an approval, so nothing is issued"
show "sentinel exec prod -- aws s3 ls"
as alice "$sentinel" exec prod -- true || true

step "credential_process: what the AWS CLI and SDKs read (served from the cache the second time)"
show "sentinel credentials dev"
as alice "$sentinel" credentials dev | sed -E 's/"(SecretAccessKey|SessionToken)":"(.{6})[^"]*"/"\1":"\2…"/g'

step "alice asks for prod; bob, an approver, approves from his own machine"
show "sentinel request prod --justification ..."
request_id=$(as alice "$sentinel" request prod --justification "rotate the TLS certificate on the prod load balancer" --duration 1h | head -1)
as alice "$sentinel" requests show "$request_id"
show "sentinel approve $request_id   (alice, an approver herself: refused, nobody approves their own request)"
as alice "$sentinel" approve "$request_id" || true
show "sentinel approve $request_id --comment ...   (as bob)"
as bob "$sentinel" approve "$request_id" --comment "go ahead, ping me when done"
show "sentinel exec prod -- ...   (alice again: allowed by the approval)"
as alice "$sentinel" exec prod -- sh -c 'echo "prod credentials until $AWS_CREDENTIAL_EXPIRATION"'

step "An emergency at night: carol, on call, breaks the glass on prod with a written reason"
show "sentinel exec prod -- ...   (carol: no approval, denied)"
as carol "$sentinel" exec prod -- true || true
show "sentinel breakglass prod --reason-code incident --justification ..."
bg_id=$(as carol "$sentinel" breakglass prod --reason-code incident --duration 30m \
  --justification "checkout is failing for all customers, paging incident 4711" | head -1)
as carol "$sentinel" breakglass-show "$bg_id"
show "sentinel exec prod -- ...   (carol: allowed by the break-glass event, capped to its 30 minutes)"
as carol "$sentinel" exec prod -- sh -c 'echo "prod credentials until $AWS_CREDENTIAL_EXPIRATION"'
show "sentinel breakglass-close $bg_id --reason ..."
as carol "$sentinel" breakglass-close "$bg_id" --reason "incident mitigated, rollback done"
show "sentinel exec prod -- ...   (carol: the glass is closed, denied again)"
as carol "$sentinel" exec prod -- true || true

step "Server mode: every credential refresh is decided again, in a session bob can revoke"
# The command stands in for a long-running tool: it fetches credentials
# from sentinel's loopback endpoint the way every AWS SDK does (here with
# bash's /dev/tcp, so the demo needs no curl), waits, and fetches again.
cat > "$work/fetch.sh" <<'SH'
fetch() {
  local hostport=${AWS_CONTAINER_CREDENTIALS_FULL_URI#http://}; hostport=${hostport%%/*}
  local path=/${AWS_CONTAINER_CREDENTIALS_FULL_URI#http://*/}
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\nAuthorization: %s\r\n\r\n' "$path" "$hostport" "$AWS_CONTAINER_AUTHORIZATION_TOKEN" >&3
  local status; read -r _ status _ <&3; exec 3<&-
  echo "  the tool's fetch $1: HTTP $status"
}
fetch 1
while [ ! -e "$DEMO_REVOKED" ]; do sleep 0.1; done
fetch 2
SH
show "sentinel exec --server prod -- long-running-tool   (alice, on her approval)"
as alice env DEMO_REVOKED="$work/revoked" "$sentinel" exec --server prod -- bash "$work/fetch.sh" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 100); do
  session_id=$(as alice "$sentinel" sessions list --status active --output json 2>/dev/null | grep -o '"id": *"[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{16\}' || true)
  [ -n "$session_id" ] && break; sleep 0.1
done
sleep 0.5
show "sentinel sessions list   (bob, an approver of prod)"
as bob "$sentinel" sessions list --profile prod
show "sentinel sessions revoke $session_id --reason \"laptop stolen\"   (bob)"
as bob "$sentinel" sessions revoke "$session_id" --reason "laptop stolen"
touch "$work/revoked"
wait "$server_pid" || true
sed 's/^/  /' "$work/server.err"

step "Every decision and lifecycle event, in each person's tamper-evident log"
for name in alice bob carol; do
  log="$work/$name/.local/state/sentinel/decisions.jsonl"
  echo "-- $name"
  python3 - "$log" <<'PY' 2>/dev/null || cut -c1-200 "$log"
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    who = e.get("user") or e.get("actor", "")
    extra = e.get("source_identity") or e.get("subject", "")
    if e.get("cached"):
        extra += " (from cache)"
    print(f'{e["seq"]:>3} {e["event"]:<18} {e.get("effect", e.get("status", "")):<9} {e.get("profile", ""):<5} {who:<6} {e.get("rule", "") or e.get("reason_code", ""):<20} {extra}')
PY
done
show "sentinel log verify"
as alice "$sentinel" log verify

step "STS saw these calls (SourceIdentity shows who and on what grounds)"
grep -E 'AssumeRole' "$work/standin.log" | sed -E 's/^[^ ]+ //' | head -10
