# What the benchmark scripts share: writing their result into a doc.

# write_result DOC NAME HEADING RESULT — RESULT (which starts with the line
# "<!-- BEGIN NAME ..." and ends with "<!-- END NAME -->") replaces the text
# between those markers in DOC; without the markers it goes to DOC's end under
# "## HEADING" (DOC is created if missing).
write_result() {
  local doc=$1 name=$2 heading=$3 result=$4
  if grep -q "<!-- BEGIN $name " "$doc" 2>/dev/null; then
    python3 - "$doc" "$name" "$result" <<'PY'
import re, sys
path, name, new = sys.argv[1:4]
text = open(path).read()
pattern = r"<!-- BEGIN %s .*?<!-- END %s -->" % (re.escape(name), re.escape(name))
text = re.sub(pattern, lambda m: new, text, flags=re.S)
open(path, "w").write(text)
PY
  else
    printf '\n## %s\n\n%s\n' "$heading" "$result" >>"$doc"
  fi
  echo "written to $doc" >&2
}

# mirror_registries_conf REGISTRY — a containers registries.conf that sends
# docker.io to REGISTRY (plain HTTP), for buildah beside kiln's --registry-mirror.
mirror_registries_conf() {
  cat <<CONF
unqualified-search-registries = ["docker.io"]
[[registry]]
prefix = "docker.io"
location = "docker.io"
[[registry.mirror]]
location = "$1"
insecure = true
CONF
}

# wait_for_start_up_cache DIR [SECONDS] [BEFORE] — waits (default 300 s) until the kiln launcher's
# start-up cache (recorded in the background on its first run with a jar and JDK) is in DIR, e.g.
# ~/.cache/kiln, and more than BEFORE (default 0) archives are there — pass start_up_archives' count
# from before the run when another JDK's archive may already be in DIR; prints the newest archive's
# path. Status 1 when none came.
wait_for_start_up_cache() {
  local dir=$1 i
  for ((i = 0; i < ${2:-300}; i++)); do
    if (($(start_up_archives "$dir") > ${3:-0})); then
      local f newest=""
      for f in "$dir"/classes-*.aot "$dir"/classes-*.static.jsa; do
        if [[ -f $f && ( -z $newest || $f -nt $newest ) ]]; then
          newest=$f
        fi
      done
      echo "$newest"
      return 0
    fi
    sleep 1
  done
  return 1
}

# start_up_archives DIR — how many start-up archives (any jar, any JDK) DIR holds
start_up_archives() {
  local f n=0
  for f in "$1"/classes-*.aot "$1"/classes-*.static.jsa; do
    if [[ -f $f ]]; then
      n=$((n + 1))
    fi
  done
  echo "$n"
}

# The build benchmarks' set-up and runs (build.sh, all.sh). They need $here (the repository),
# $user (who runs the tools: rootless, with /etc/subuid ranges) and $registry (standing in for
# docker.io: library/python:3.9-slim and library/busybox:latest) set, and $work made (mktemp -d).

# bench_prepare JAR FILES MB — into $work: the jar and the launcher users run (with its JVM
# options and start-up cache), the tutorial (examples/hello-flask) as tutorial/, big/ (one RUN
# making FILES small files and an MB-megabyte file of zeros on busybox), big-random/ (the same with
# random bytes, which neither compress nor repeat), registries.conf for buildah and
# podman, and the launcher's cache dir; all of it the bench user's.
bench_prepare() {
  chmod 755 "$work"
  install -m 644 "$1" "$work/kiln.jar"
  install -m 755 "$here/kiln" "$work/kiln"
  cp -r "$here/examples/hello-flask" "$work/tutorial"
  mkdir -p "$work/big"
  cat >"$work/big/Dockerfile" <<EOF
FROM busybox
RUN mkdir /many && cd /many && i=0 && while [ \$i -lt $2 ]; do echo \$i > f\$i; i=\$((i+1)); done \\
 && dd if=/dev/zero of=/big bs=1M count=$3 2>/dev/null
EOF
  mkdir -p "$work/big-random"
  sed "s,/dev/zero,/dev/urandom," "$work/big/Dockerfile" >"$work/big-random/Dockerfile"
  mirror_registries_conf "$registry" >"$work/registries.conf"
  mkdir -p "$work/cache"
  chown -R "$user:" "$work"
}

# as_user HOME CMD... — run as the bench user with its own HOME (stores live there)
as_user() {
  local home=$1
  shift
  runuser -u "$user" -- env -i HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin \
    XDG_RUNTIME_DIR="$home/run" CONTAINERS_REGISTRIES_CONF="$work/registries.conf" \
    XDG_CACHE_HOME="$work/cache" KILN_JAR="$work/kiln.jar" "$@"
}

# measure HOME CMD... — prints "seconds maxrss_kb" of one run (GNU time: wall time and the peak
# RSS of the largest process); status 1 with the output's end on stderr when CMD fails
measure() {
  local home=$1
  shift
  as_user "$home" /usr/bin/time -f "%e %M" -o "$home/time" "$@" >"$home/out.log" 2>&1 ||
    { tail -n 20 "$home/out.log" >&2; echo "failed: $*" >&2; return 1; }
  tail -n 1 "$home/time"
}

fresh_home() { # fresh_home NAME — an empty home for one run
  local h=$work/home-$1
  rm -rf "$h"
  mkdir -p "$h/run"
  chmod 700 "$h/run"
  chown -R "$user:" "$h"
  echo "$h"
}

kiln_build() { # kiln_build HOME CONTEXT
  measure "$1" "$work/kiln" build --root "$1/kiln" --registry-mirror "docker.io=$registry" -t bench "$2"
}

buildah_build() { # buildah_build HOME CONTEXT
  # --layers: cache each step as podman build does (buildah bud's default is no cache);
  # overlay storage (native rootless overlay), not the vfs default here, which copies every layer
  measure "$1" env STORAGE_DRIVER=overlay buildah bud --layers --runtime runc --network host -t bench "$2"
}
