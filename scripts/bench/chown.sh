#!/usr/bin/env bash
# Cost of kiln's chown recorder (docs/runtime.md, "Ownership without subordinate ids"), as the
# user without subordinate ids ($KILN_IT_USER_NOMAP, default kiln-nomap), in one warm JVM each:
#   - a trivial container (`true`), RUNS times, with and without the recorder (its filter,
#     socket and thread per container);
#   - a container that makes CHOWNS files and chowns them with one `chown -R`, 5 times: to
#     1000:1000 with the recorder, to 0:0 without (the kernel's own; to 1000 it would fail), so the
#     difference per call is the recorder's round trip.
#
#   scripts/bench/chown.sh [RUNS] [CHOWNS]      (as root; prints a markdown table)
set -euo pipefail
runs=${1:-30}
chowns=${2:-500}
user=${KILN_IT_USER_NOMAP:-kiln-nomap}
repo=$(cd "$(dirname "$0")/../.." && pwd)
source "$repo/scripts/bench/harness.sh"
[[ $(id -u) == 0 ]] || { echo "run as root (switches to $user with runuser)" >&2; exit 2; }
id -u "$user" >/dev/null || { echo "user $user missing (scripts/test.sh creates it)" >&2; exit 2; }

(cd "$repo" && mvn -B -q -o -pl oci-spec,runtime test-compile)
work=$(mktemp -d /tmp/kiln-bench-chown.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cp_path=$(harness_classpath "$work")
root="$work/$user/busybox"
busybox_rootfs "$root"
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
loop="mkdir -p /d && cd /d && seq $chowns | xargs touch && chown -R OWNER /d"

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
| \`chown -R\` of $chowns files, with making them (5 runs; on: to 1000:1000, off: to 0:0) | $loop_on | $loop_off |

Per recorded chown: about $per_call µs more than the kernel's own chown.
MD
