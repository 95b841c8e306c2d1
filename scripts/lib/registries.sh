# Local docker-registry (distribution 2.8) servers for the integration tests.
# Each gets its own config, storage and log file under $KILN_TEST_RUN; pids are
# kept in $KILN_TEST_RUN/NAME.pid so that a later run can stop leftovers.

KILN_STARTED_PIDS=()

# registry_config NAME PORT AUTH_YAML — write $KILN_TEST_RUN/NAME/config.yml.
registry_config() {
  local name=$1 port=$2 auth=$3 dir=$KILN_TEST_RUN/$1
  mkdir -p "$dir/storage"
  cat >"$dir/config.yml" <<YAML
$KILN_REGISTRY_MARKER
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: kiln-test-$name
$auth
YAML
}

# port_in_use PORT — true when something accepts connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# port_owner PORT — the pid listening on PORT, if ss can tell.
port_owner() {
  ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1
}

readonly KILN_REGISTRY_MARKER="# a kiln test registry (scripts/lib/registries.sh)"

# is_kiln_registry PID — PID is a docker-registry serving a config that
# registry_config wrote (for any kiln script), or one of $KILN_TEST_RUN's.
# Registries other people run are never stopped.
is_kiln_registry() {
  local -a argv
  local config
  [[ -r /proc/$1/cmdline ]] || return 1
  mapfile -d '' -t argv <"/proc/$1/cmdline"
  [[ ${#argv[@]} -eq 3 && ${argv[0]##*/} == docker-registry && ${argv[1]} == serve ]] || return 1
  config=${argv[2]}
  [[ $config == /* ]] || config=/proc/$1/cwd/$config
  [[ $config == "$KILN_TEST_RUN/"* ]] || grep -qxF "$KILN_REGISTRY_MARKER" "$config" 2>/dev/null
}

# stop_pid PID — TERM, wait up to 10 s, then KILL.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# stop_stale_registries PORT... — stop the registries an earlier run left
# behind (killed before its cleanup ran, or started by test-services.sh): those
# in $KILN_TEST_RUN's pid files, and kiln registries still listening on PORT
# (callers hold the lock for these ports). Anything else on PORT is an error.
stop_stale_registries() {
  local pid_file pid port
  for pid_file in "$KILN_TEST_RUN"/*.pid; do
    [[ -f $pid_file ]] || continue
    pid=$(<"$pid_file")
    if is_kiln_registry "$pid"; then
      log "registries: stopping $(basename "$pid_file" .pid) (pid $pid)"
      stop_pid "$pid"
    fi
    rm -f "$pid_file"
  done
  for port in "$@"; do
    port_in_use "$port" || continue
    pid=$(port_owner "$port")
    if [[ -n $pid ]] && is_kiln_registry "$pid"; then
      log "registries: stopping docker-registry pid $pid on port $port"
      stop_pid "$pid"
    fi
    port_in_use "$port" && die "port $port is in use${pid:+ by pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null))}; kiln's tests need it"
  done
  return 0
}

# start_registry NAME — run docker-registry on NAME's config in its own
# session, output to NAME.log (never to this script's stdout or stderr).
start_registry() {
  local name=$1 dir=$KILN_TEST_RUN/$1 pid
  setsid docker-registry serve "$dir/config.yml" </dev/null >"$KILN_TEST_RUN/$name.log" 2>&1 8>&- 9>&- &
  pid=$!
  KILN_STARTED_PIDS+=("$pid")
  echo "$pid" >"$KILN_TEST_RUN/$name.pid"
}

# wait_registry NAME PORT — until /v2/ answers (200 or 401), at most 30 s.
wait_registry() {
  local name=$1 port=$2 pid code i
  pid=$(<"$KILN_TEST_RUN/$name.pid")
  for ((i = 0; i < 300; i++)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/v2/" || true)
    [[ $code == 200 || $code == 401 ]] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$KILN_TEST_RUN/$name.log" >&2
      die "registry $name exited while starting; log: $KILN_TEST_RUN/$name.log"
    fi
    sleep 0.1
  done
  tail -n 20 "$KILN_TEST_RUN/$name.log" >&2
  die "registry $name does not answer on port $port; log: $KILN_TEST_RUN/$name.log"
}

# stop_started_services — stop everything start_registry started (EXIT trap).
stop_started_services() {
  local pid
  for pid in "${KILN_STARTED_PIDS[@]}"; do
    stop_pid "$pid"
  done
  rm -f "$KILN_TEST_RUN"/*.pid
  KILN_STARTED_PIDS=()
}
