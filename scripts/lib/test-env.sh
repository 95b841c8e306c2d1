# The environment kiln's integration tests run in: state directory, run lock,
# the three local registries with their fixtures, and the KILN_IT_* variables.
# Sourcing it sources the other libraries it needs.
#
# Settings: KILN_TEST_STATE (default /tmp/kiln-test), KILN_TEST_PORT_BASE
# (default 5100: anonymous registry; +1 Basic auth; +2 token auth; +3 the
# tests' token server), KILN_TEST_LOCK_WAIT (seconds, default 3600).

kiln_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$kiln_repo/scripts/lib/log.sh"
source "$kiln_repo/scripts/lib/packages.sh"
source "$kiln_repo/scripts/lib/users.sh"
source "$kiln_repo/scripts/lib/registries.sh"
state=${KILN_TEST_STATE:-/tmp/kiln-test}
export KILN_TEST_RUN=$state/run KILN_TEST_LOG_DIR=$state

port_base=${KILN_TEST_PORT_BASE:-5100}
readonly PORT_ANON=$port_base PORT_BASIC=$((port_base + 1))
readonly PORT_TOKEN=$((port_base + 2)) PORT_TOKEN_SERVER=$((port_base + 3))
readonly BASIC_USER=kiln BASIC_PASSWORD=kiln-secret
readonly TOKEN_SERVICE=kiln-registry TOKEN_ISSUER=kiln-token-server

# take_lock — one run per state directory at a time (the ports are fixed);
# waits for another run. The lock is fd 9; children must not keep it (9>&-).
take_lock() {
  mkdir -p "$state"
  chmod 755 "$state"
  exec 9>"$state/lock"
  if ! flock -n 9; then
    log "another kiln test run holds $state/lock; waiting for it (up to ${KILN_TEST_LOCK_WAIT:-3600}s)"
    flock -w "${KILN_TEST_LOCK_WAIT:-3600}" 9 || die "gave up waiting for $state/lock"
  fi
}

# prepare_machine — packages, users, the shell libraries' own tests, fixtures;
# prints the fixture directory.
prepare_machine() {
  local start=$SECONDS fixtures
  ensure_packages "${KILN_TEST_PACKAGES[@]}"
  ensure_user kiln-test true
  ensure_user kiln-nomap false
  bash "$kiln_repo/scripts/tests/libs-test.sh"
  fixtures=$(bash "$kiln_repo/scripts/fixtures/build.sh")
  log "fixtures ready in $fixtures ($((SECONDS - start))s)"
  echo "$fixtures"
}

# An RSA 2048 key (PKCS#8 PEM) and a self-signed certificate the token
# registry trusts; the tests' token server signs with the key.
make_token_key() {
  local dir=$KILN_TEST_RUN/token
  mkdir -p "$dir"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/key.pem" 2>/dev/null
  openssl req -new -x509 -key "$dir/key.pem" -out "$dir/cert.pem" -days 3650 \
    -subj "/CN=$TOKEN_ISSUER" 2>/dev/null
  chmod 644 "$dir/key.pem" "$dir/cert.pem" # a throwaway test key; kiln-test may read it
}

# token_key_id CERT — the libtrust key id distribution matches a JWT's "kid"
# against: base32 of the first 240 bits of SHA-256 over the DER public key,
# in 12 groups of 4 joined by ':'.
token_key_id() {
  openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -binary | head -c 30 | base32 | tr -d '=\n' |
    sed 's/..../&:/g; s/:$//'
}

# start_registries — fresh (empty) registries on the three ports, after
# stopping the ones an earlier run with this state directory left behind.
start_registries() {
  stop_stale_registries "$PORT_ANON" "$PORT_BASIC" "$PORT_TOKEN"
  rm -rf "$KILN_TEST_RUN"
  mkdir -p "$KILN_TEST_RUN"
  make_token_key
  htpasswd -Bbc "$KILN_TEST_RUN/htpasswd" "$BASIC_USER" "$BASIC_PASSWORD" 2>/dev/null
  registry_config anon "$PORT_ANON" ""
  registry_config basic "$PORT_BASIC" "auth:
  htpasswd:
    realm: kiln-basic
    path: $KILN_TEST_RUN/htpasswd"
  registry_config token "$PORT_TOKEN" "auth:
  token:
    realm: http://127.0.0.1:$PORT_TOKEN_SERVER/token
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $KILN_TEST_RUN/token/cert.pem"
  start_registry anon
  start_registry basic
  start_registry token
  wait_registry anon "$PORT_ANON"
  wait_registry basic "$PORT_BASIC"
  wait_registry token "$PORT_TOKEN"
  if port_in_use "$PORT_TOKEN_SERVER"; then
    log "warning: port $PORT_TOKEN_SERVER is in use; the token tests start their server there"
  fi
}

# copy SOURCE DEST [skopeo copy options] — push into a local registry.
copy() {
  local source=$1 dest=$2
  shift 2
  if ! skopeo --policy "$KILN_TEST_RUN/policy.json" copy --dest-tls-verify=false "$@" \
      "$source" "$dest" >>"$KILN_TEST_RUN/skopeo.log" 2>&1; then
    tail -n 20 "$KILN_TEST_RUN/skopeo.log" >&2
    die "skopeo copy $source $dest failed"
  fi
}

# push_fixtures FIXTURES — the images of the test contract (docs/testing.md).
push_fixtures() {
  local fixtures=$1 anon=docker://127.0.0.1:$PORT_ANON basic=docker://127.0.0.1:$PORT_BASIC
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$KILN_TEST_RUN/policy.json"
  copy "oci:$fixtures/busybox.oci:latest" "$anon/library/busybox:latest" --all
  copy "oci:$fixtures/busybox.oci:oci" "$anon/library/busybox:oci"
  copy "oci:$fixtures/busybox.oci:oci" "$anon/library/busybox:v2s2" --format v2s2
  copy "oci:$fixtures/python.oci:3.9-slim" "$anon/library/python:3.9-slim"
  copy "oci:$fixtures/busybox.oci:latest" "$basic/library/busybox:latest" --all \
    --dest-creds "$BASIC_USER:$BASIC_PASSWORD"
}

# export_contract FIXTURES JAR — export every KILN_IT_* variable, and write
# them to $state/env.sh for "source" in another shell.
export_contract() {
  local fixtures=$1 jar=$2
  export KILN_IT_REGISTRY=127.0.0.1:$PORT_ANON
  export KILN_IT_REGISTRY_BASIC=127.0.0.1:$PORT_BASIC
  export KILN_IT_BASIC_USER=$BASIC_USER KILN_IT_BASIC_PASSWORD=$BASIC_PASSWORD
  export KILN_IT_REGISTRY_TOKEN=127.0.0.1:$PORT_TOKEN
  export KILN_IT_TOKEN_CERT=$KILN_TEST_RUN/token/cert.pem
  export KILN_IT_TOKEN_KEY=$KILN_TEST_RUN/token/key.pem
  # Not in the contract, for convenience: the registry's view of the token server.
  export KILN_IT_TOKEN_REALM=http://127.0.0.1:$PORT_TOKEN_SERVER/token
  export KILN_IT_TOKEN_SERVICE=$TOKEN_SERVICE KILN_IT_TOKEN_ISSUER=$TOKEN_ISSUER
  KILN_IT_TOKEN_KID=$(token_key_id "$KILN_IT_TOKEN_CERT")
  export KILN_IT_TOKEN_KID
  export KILN_IT_FIXTURES=$fixtures
  export KILN_IT_USER=kiln-test KILN_IT_USER_NOMAP=kiln-nomap
  export KILN_IT_JAR=$jar
  export -p | grep '^declare -x KILN_IT_' | sed 's/^declare -x /export /' >"$state/env.sh"
}
