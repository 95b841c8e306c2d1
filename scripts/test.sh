#!/usr/bin/env bash
# kiln's test command: prepares this machine (packages, users, fixtures, local
# registries), builds kiln and runs "mvn -B verify" with the KILN_IT_*
# environment the integration tests read. Extra arguments go to mvn verify.
# Meant for root on Debian 12 (CI runs it through .ci/run). docs/testing.md
# explains what it sets up. Then scripts/tests/launcher-test.sh and, for the
# log only, scripts/bench/all.sh --short. Exit code: mvn verify's, else 1 when
# launcher-test.sh failed.
set -euo pipefail
shopt -s inherit_errexit
umask 022
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export KILN_LOG_TAG=test
source "$repo/scripts/lib/test-env.sh"

mvn_pid=""

# mvn ARGS... — Maven without stdin and without the run lock (so that the lock
# dies with this script, not with stray processes of the tests). It runs in
# the background so that INT and TERM reach this script's traps at once.
mvn() {
  local status=0
  command mvn -B "$@" </dev/null 9>&- &
  mvn_pid=$!
  wait "$mvn_pid" || status=$?
  mvn_pid=""
  return "$status"
}

# cleanup — on every exit: stop a running mvn, then the registries.
cleanup() {
  if [[ -n $mvn_pid ]]; then
    kill -TERM "$mvn_pid" 2>/dev/null || true
    wait "$mvn_pid" 2>/dev/null || true
  fi
  stop_started_services
}

main() {
  local fixtures status=0 start
  take_lock
  log "state in $state (logs: $KILN_TEST_RUN/*.log)"
  fixtures=$(prepare_machine)

  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  timed "registries up on 127.0.0.1:$PORT_ANON, :$PORT_BASIC, :$PORT_TOKEN" start_registries
  timed "fixtures pushed" push_fixtures "$fixtures"

  cd "$repo"
  start=$SECONDS
  log "mvn package -DskipTests"
  mvn package -DskipTests -q || die "mvn package failed"
  install -m 644 builder/target/kiln.jar "$state/kiln.jar"
  log "kiln.jar built and copied to $state/kiln.jar ($((SECONDS - start))s)"

  export_contract "$fixtures" "$state/kiln.jar"
  start=$SECONDS
  log "mvn verify $*"
  mvn verify "$@" || status=$?
  log "mvn verify exit code $status ($((SECONDS - start))s)"
  start=$SECONDS
  if bash scripts/tests/launcher-test.sh; then
    log "launcher-test passed ($((SECONDS - start))s)"
  else
    log "launcher-test failed"
    ((status != 0)) || status=1
  fi
  # For the log only: a regression shows as a changed ratio. Times are not asserted, and a
  # missing peer or a failing case leaves its row absent with the reason, never fails the run.
  start=$SECONDS
  bash scripts/bench/all.sh --short "$KILN_IT_REGISTRY" ||
    log "scripts/bench/all.sh --short failed (status $?); no benchmark table this time"
  log "benchmarks ($((SECONDS - start))s); exit code $status"
  exit "$status"
}

main "$@"
