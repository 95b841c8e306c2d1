#!/usr/bin/env bash
# Cost of kiln's chown recorder (docs/runtime.md, "Ownership without subordinate ids"), as the
# user without subordinate ids ($KILN_IT_USER_NOMAP, default kiln-nomap), in one warm JVM each:
#   - a trivial container (`true`), RUNS times, with and without the recorder (its filter,
#     socket and thread per container);
#   - a container doing CHOWNS chowns (busybox `chown` in a shell loop, one process per call),
#     5 times: recorded chown to 1000:1000 with the recorder, chown to 0:0 without (the kernel's
#     own; to 1000 it would fail), so the difference per call is the recorder's round trip.
#
#   scripts/bench/chown.sh [RUNS] [CHOWNS]      (as root; prints a markdown table)
set -euo pipefail
runs=${1:-30}
chowns=${2:-500}
user=${KILN_IT_USER_NOMAP:-kiln-nomap}
repo=$(cd "$(dirname "$0")/../.." && pwd)
[[ $(id -u) == 0 ]] || { echo "run as root (switches to $user with runuser)" >&2; exit 2; }
id -u "$user" >/dev/null || { echo "user $user missing (scripts/test.sh creates it)" >&2; exit 2; }

(cd "$repo" && mvn -B -q -o -pl oci-spec,runtime test-compile)
work=$(mktemp -d /tmp/kiln-bench-chown.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
jna=$(find ~/.m2/repository/net/java/dev/jna/jna -name 'jna-*.jar' | sort -V | tail -1)
mkdir -p "$work/cp"
cp -r "$repo/runtime/target/classes" "$work/cp/rt"
cp -r "$repo/runtime/target/test-classes" "$work/cp/rtt"
cp -r "$repo/oci-spec/target/classes" "$work/cp/oci"
cp "$jna" "$work/cp/jna.jar"
cp_path="$work/cp/rt:$work/cp/rtt:$work/cp/oci:$work/cp/jna.jar"

root="$work/$user/busybox"
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root"
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do [[ $a == busybox ]] || ln -s busybox "$root/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
chown -R "$user:" "$work/$user"
chmod -R a+rX "$work"

# harness RUNS OPTS... -- ARGV: the median in ms of RUNS executions
harness() {
  local n=$1
  shift
  rm -rf "$work/$user/upper" "$work/$user/work"
  runuser -u "$user" -- env -i PATH=/usr/bin:/bin java -XX:+UseSerialGC -cp "$cp_path" dev.kiln.runtime.Harness \
    --repeat "$n" --lower "$root" --upper "$work/$user/upper" --work "$work/$user/work" "$@" 2>&1 \
    | grep '^harness:' | sed -E 's/.* median_us=([0-9]+).*/\1/' | awk '{printf "%.1f", $1/1000}'
}
loop="touch /f; i=0; while [ \$i -lt $chowns ]; do chown OWNER /f; i=\$((i+1)); done"

true_on=$(harness "$runs" -- /bin/true)
true_off=$(harness "$runs" --no-chown-record -- /bin/true)
loop_on=$(harness 5 -- /bin/sh -c "${loop/OWNER/1000:1000}")
loop_off=$(harness 5 --no-chown-record -- /bin/sh -c "${loop/OWNER/0:0}")
per_call=$(awk -v a="$loop_on" -v b="$loop_off" -v n="$chowns" 'BEGIN {printf "%.0f", (a - b) * 1000 / n}')

cat <<MD
Measured by \`scripts/bench/chown.sh $runs $chowns\` on $(date -u +%Y-%m-%d) as \`$user\`, $(nproc) CPUs,
kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg); medians in ms.

| container | recorder on | recorder off |
|---|---|---|
| \`true\` ($runs runs) | $true_on | $true_off |
| $chowns × \`chown\` in a shell loop (5 runs; on: to 1000:1000, off: to 0:0) | $loop_on | $loop_off |

Per recorded chown: about $per_call µs more than the kernel's own chown.
MD
