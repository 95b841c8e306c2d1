#!/usr/bin/env bash
# Per-execution overhead of kiln's runtime for `true`, beside rootless podman, in one run.
#
#   scripts/bench/run.sh [RUNS]        (as root: runs both as $KILN_IT_USER, default kiln-test)
#
# kiln: one warm JVM runs `true` RUNS times through Sandbox (overlay over a busybox layer,
# pid/mount/uts/ipc namespaces, inside kiln's user namespace); each time is start → exit.
# podman: `podman run --rm --network host --runtime runc IMAGE true`, RUNS times, each timed
# from the shell (podman has no warm mode; that is its real per-RUN cost).
# Prints median and p90 in ms for both and the load average, and writes docs/benchmarks-runtime.md.
set -euo pipefail
runs=${1:-50}
user=${KILN_IT_USER:-kiln-test}
repo=$(cd "$(dirname "$0")/../.." && pwd)
source "$repo/scripts/bench/harness.sh"
[[ $(id -u) == 0 ]] || { echo "run as root (switches to $user with runuser)" >&2; exit 2; }
id -u "$user" >/dev/null || { echo "user $user missing (scripts/test.sh creates it)" >&2; exit 2; }

(cd "$repo" && mvn -B -q -o -pl runtime -am test-compile)
work=$(mktemp -d /tmp/kiln-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cp_path=$(harness_classpath "$work")

# a busybox root filesystem owned by the user
root="$work/$user/busybox"
busybox_rootfs "$root"
tar -C "$root" -cf "$work/rootfs.tar" .
chown -R "$user:" "$work/$user"
chmod -R a+rX "$work"

stats() { sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; p=a[int(NR*0.9+0.5)]; printf "%.1f %.1f\n", m, p}'; }

echo "kiln: $runs runs" >&2
out=$(runuser -u "$user" -- java -XX:+UseSerialGC -cp "$cp_path" dev.kiln.runtime.Harness \
  --repeat "$runs" --lower "$root" --upper "$work/$user/upper" --work "$work/$user/work" \
  -- /bin/true 2>&1 | grep '^harness:')
kiln_median=$(sed -E 's/.* median_us=([0-9]+).*/\1/' <<<"$out" | awk '{printf "%.1f", $1/1000}')
kiln_p90=$(sed -E 's/.* p90_us=([0-9]+).*/\1/' <<<"$out" | awk '{printf "%.1f", $1/1000}')
kiln_retries=$(sed -E 's/.* retries=([0-9]+).*/\1/' <<<"$out")

# cold: one whole process per `true` (JVM start, re-exec in a user namespace = a second JVM,
# spawner JVM start, isolation probe, one run), as a one-off `kiln run` pays it
echo "kiln cold: 5 runs" >&2
cold_times=$(for i in 1 2 3 4 5; do
  s=$(date +%s%N)
  runuser -u "$user" -- java -XX:+UseSerialGC -Xshare:auto -cp "$cp_path" dev.kiln.runtime.Harness \
    --lower "$root" --upper "$work/$user/upper" --work "$work/$user/work" -- /bin/true >/dev/null 2>&1
  e=$(date +%s%N)
  echo $(( (e - s) / 1000 ))
done | awk '{printf "%.3f\n", $1/1000}')
read -r cold_median cold_p90 <<<"$(stats <<<"$cold_times")"

podman_line="podman could not run"
if command -v podman >/dev/null; then
  echo "podman: $runs runs" >&2
  # shellcheck disable=SC2016
  podman_times=$(runuser -u "$user" -- env HOME="$(getent passwd "$user" | cut -d: -f6)" sh -c '
    cd /tmp
    podman import "$1" localhost/kiln-bench-busybox:latest >/dev/null 2>&1 || exit 3
    podman run --rm --network host --runtime runc localhost/kiln-bench-busybox /bin/true >/dev/null 2>&1 || exit 4
    i=0
    while [ $i -lt "$2" ]; do
      s=$(date +%s%N)
      podman run --rm --network host --runtime runc localhost/kiln-bench-busybox /bin/true >/dev/null 2>&1 || exit 5
      e=$(date +%s%N)
      echo $(( (e - s) / 1000 ))
      i=$((i + 1))
    done
    podman rmi localhost/kiln-bench-busybox >/dev/null 2>&1 || true
  ' sh "$work/rootfs.tar" "$runs" | awk '{printf "%.3f\n", $1/1000}') || podman_status=$?
  if [[ -n $podman_times && -z ${podman_status:-} ]]; then
    read -r pm pp <<<"$(stats <<<"$podman_times")"
    podman_line="| podman run --rm --network host --runtime runc (rootless) | $pm | $pp |"
  else
    podman_line="podman failed (status ${podman_status:-?}: 3 import, 4 first run, 5 a timed run)"
  fi
fi

load=$(cut -d' ' -f1-3 /proc/loadavg)
report=$(cat <<MD
# Runtime benchmark: per-execution overhead of \`true\`

Measured by \`scripts/bench/run.sh $runs\` on $(date -u +%Y-%m-%d) as user \`$user\` (rootless),
$(nproc) CPUs, kernel $(uname -r), load average before the podman runs: $load.

| runtime | median ms | p90 ms |
|---|---|---|
| kiln Sandbox (warm JVM, overlay, userns + pid/mnt/uts/ipc) | $kiln_median | $kiln_p90 |
| kiln cold (whole process: JVM, userns re-exec, spawner, probe, one run; 5 runs) | $cold_median | $cold_p90 |
$podman_line

kiln watchdog retries during the kiln runs: $kiln_retries.
kiln's figure is per execution inside one kiln process (the spawner JVM is started once);
podman's is one \`podman run\` process per execution, which is how it is used.
MD
)
echo "$report"
mkdir -p "$repo/docs"
echo "$report" > "$repo/docs/benchmarks-runtime.md"
