#!/usr/bin/env bash
# kiln's main job: Docker's "build your first image" tutorial, end to end, with no daemon.
# As root on Debian 12 it installs what it needs, builds kiln, publishes the Python base image
# (built from Debian packages, see testdata/README.md) as library/python:3.9-slim on a local
# registry on 127.0.0.1:5100 standing in for Docker Hub, and then, as the unprivileged user
# kiln-test, runs the tutorial's own steps on examples/hello-flask:
#   kiln build -t my-python-app .   kiln images   kiln run -p 5000:5000 my-python-app   Ctrl+C
# Exit code 0 when the app answered "Hello, Docker!" and stopped on Ctrl+C.
set -euo pipefail
umask 022
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export KILN_LOG_TAG=tutorial
source "$repo/scripts/lib/log.sh"
source "$repo/scripts/lib/packages.sh"
source "$repo/scripts/lib/users.sh"
source "$repo/scripts/lib/registries.sh"

state=${KILN_TUTORIAL_STATE:-/tmp/kiln-tutorial}
export KILN_TEST_RUN=$state/run KILN_TEST_LOG_DIR=$state
readonly PORT=5100 APP_PORT=5000 USER_NAME=kiln-test
app_pgid=""

# as_user COMMAND... — run as the unprivileged user, in its home, with its own store.
as_user() {
  runuser -u "$USER_NAME" -- env -i HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin \
    LANG=C.UTF-8 KILN_JAR="$state/kiln.jar" XDG_RUNTIME_DIR="$home/.run" "$@"
}

cleanup() {
  if [[ -n $app_pgid ]]; then
    kill -KILL -- "-$app_pgid" 2>/dev/null || true
  fi
  stop_started_services
}

main() {
  mkdir -p "$state"
  chmod 755 "$state"
  # scripts/test.sh takes the same lock: both want port 5100.
  local lock_dir=${KILN_TEST_STATE:-/tmp/kiln-test}
  mkdir -p "$lock_dir"
  exec 9>"$lock_dir/lock"
  flock -w 3600 9 || die "another kiln test run holds $lock_dir/lock"
  ensure_packages "${KILN_TEST_PACKAGES[@]}"
  ensure_user "$USER_NAME" true
  home=$(getent passwd "$USER_NAME" | cut -d: -f6)

  local fixtures
  fixtures=$(bash "$repo/scripts/fixtures/build.sh")
  log "fixtures ready in $fixtures"

  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  stop_stale_registries "$PORT"
  rm -rf "$KILN_TEST_RUN"
  mkdir -p "$KILN_TEST_RUN"
  registry_config hub "$PORT" ""
  start_registry hub
  wait_registry hub "$PORT"
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$KILN_TEST_RUN/policy.json"
  skopeo --policy "$KILN_TEST_RUN/policy.json" copy --dest-tls-verify=false \
    "oci:$fixtures/python.oci:3.9-slim" "docker://127.0.0.1:$PORT/library/python:3.9-slim" \
    >"$KILN_TEST_RUN/skopeo.log" 2>&1 || die "publishing the python base image failed: $KILN_TEST_RUN/skopeo.log"
  log "library/python:3.9-slim published on 127.0.0.1:$PORT (standing in for docker.io)"

  if [[ ! -f $repo/builder/target/kiln.jar || -n ${KILN_REBUILD:-yes} ]]; then
    (cd "$repo" && mvn -B -q package -DskipTests </dev/null >"$state/mvn.log" 2>&1) ||
      { tail -n 30 "$state/mvn.log" >&2; die "mvn package failed: $state/mvn.log"; }
  fi
  install -m 644 "$repo/builder/target/kiln.jar" "$state/kiln.jar"
  install -m 755 "$repo/kiln" "$state/kiln"
  # The user's copy of the example: the tutorial's project directory.
  rm -rf "$home/my-python-app"
  cp -r "$repo/examples/hello-flask" "$home/my-python-app"
  chown -R "$USER_NAME:" "$home/my-python-app"
  mkdir -p "$home/.run" && chown "$USER_NAME:" "$home/.run" && chmod 700 "$home/.run"
  # A fresh store each time, as on a new machine: the build is cold.
  as_user rm -rf "$home/.local/share/kiln"

  local kiln="$state/kiln"
  log "\$ kiln build --registry-mirror docker.io=127.0.0.1:$PORT -t my-python-app ."
  as_user bash -c "cd ~/my-python-app && $kiln build --registry-mirror docker.io=127.0.0.1:$PORT -t my-python-app ."
  log "\$ kiln images"
  as_user "$kiln" images | tee "$state/images.txt"
  grep -q '^my-python-app ' "$state/images.txt" || die "kiln images does not list my-python-app"

  log "\$ kiln run -p $APP_PORT:$APP_PORT my-python-app"
  setsid runuser -u "$USER_NAME" -- env -i HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin \
    LANG=C.UTF-8 KILN_JAR="$state/kiln.jar" XDG_RUNTIME_DIR="$home/.run" \
    "$kiln" run -p "$APP_PORT:$APP_PORT" my-python-app >"$state/run.log" 2>&1 </dev/null &
  local pid=$! answer="" i
  app_pgid=$pid
  for ((i = 0; i < 600; i++)); do
    answer=$(curl -s --max-time 2 "http://127.0.0.1:$APP_PORT/" || true)
    [[ -n $answer ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$state/run.log" >&2
  [[ $answer == "Hello, Docker!" ]] || die "expected 'Hello, Docker!' from http://127.0.0.1:$APP_PORT/, got '${answer}'"
  log "\$ curl http://127.0.0.1:$APP_PORT/  →  $answer"

  log "Ctrl+C (SIGINT to the foreground process group)"
  kill -INT -- "-$pid"
  local status=0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    die "kiln run did not stop within 10 s of Ctrl+C"
  fi
  wait "$pid" || status=$?
  app_pgid=""
  if curl -s --max-time 2 "http://127.0.0.1:$APP_PORT/" >/dev/null; then
    die "the app still answers after Ctrl+C"
  fi
  log "kiln run ended with exit code $status after Ctrl+C; port $APP_PORT is free again"
  log "tutorial done"
}

main "$@"
