#!/usr/bin/env bash
# Tests of the kiln launcher's start-up cache (./kiln; docs/performance.md): it is recorded in the
# background and then used, and a damaged, stale or foreign archive, an unwritable cache and no
# HOME at all never break a run or make it print anything but kiln's output. For the java on PATH
# and every JDK 25 or later under /usr/lib/jvm (the AOT cache). Needs builder/target/kiln.jar.
# Usage: bash scripts/tests/launcher-test.sh   (exit code 1 on the first failure)
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
export KILN_LOG_TAG=launcher-test
source "$repo/scripts/lib/log.sh"
source "$repo/scripts/lib/bench.sh"
source "$repo/scripts/lib/expect.sh"
[[ -f $repo/builder/target/kiln.jar ]] || die "no builder/target/kiln.jar; build it with: mvn -B -q package -DskipTests"

work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# kiln_clean NAME CACHE [ENV...] — runs `kiln --version` with a bare environment and the jar under
# test; fails unless it exits 0, prints kiln's version and nothing on stderr
kiln_clean() {
  local name=$1 cache=$2 out status=0
  shift 2
  out=$(env -i PATH=/usr/bin:/bin KILN_JAR="$jar" ${java_home:+JAVA_HOME=$java_home} \
    ${cache:+XDG_CACHE_HOME=$cache} "$@" "$repo/kiln" --version 2>"$work/err") || status=$?
  expect "$name: exit code" "$status" 0
  expect "$name: first line" "${out%%$'\n'*}" "kiln $(unzip -p "$jar" dev/kiln/builder/cli/version.properties | sed -n 's/^version=//p')"
  expect "$name: stderr" "$(cat "$work/err")" ""
}

# loaded_from_archive CACHE — "yes" when kiln's Main class came from the archive
loaded_from_archive() {
  env -i PATH=/usr/bin:/bin KILN_JAR="$jar" ${java_home:+JAVA_HOME=$java_home} XDG_CACHE_HOME="$1" \
    KILN_JAVA_OPTS=-Xlog:class+load=info "$repo/kiln" --version |
    grep -c 'dev.kiln.builder.cli.Main source: shared objects file' | sed 's/^0$/no/; s/^1$/yes/' || true
}

# damage FILE — overwrites a MiB in the middle of FILE (the JVM checks only the header)
damage() {
  chmod u+w "$1"
  dd if=/dev/urandom of="$1" bs=1M count=1 seek=$(($(stat -c %s "$1") / 2 / 1048576)) conv=notrunc status=none
}

check_jdk() { # check_jdk JAVA_HOME (empty: the java on PATH)
  java_home=$1
  local label=${java_home:-java on PATH} cache=$work/cache archive
  log "$label"
  rm -rf "$cache" "$work/jar"
  mkdir -p "$work/jar"
  jar=$work/jar/kiln.jar
  cp "$repo/builder/target/kiln.jar" "$jar"

  kiln_clean "$label: first run (records)" "$cache"
  archive=$(wait_for_start_up_cache "$cache/kiln") || die "$label: no start-up cache recorded after 300 s"
  expect "$label: archive used" "$(loaded_from_archive "$cache")" yes
  kiln_clean "$label: with the archive" "$cache"
  kiln_clean "$label: with the archive and KILN_JAVA_OPTS=-Xshare:off" "$cache" KILN_JAVA_OPTS=-Xshare:off

  damage "$archive"
  kiln_clean "$label: damaged archive" "$cache"
  expect "$label: damaged archive not used" "$(loaded_from_archive "$cache")" no
  rm -f "$archive"
  wait_for_start_up_cache "$cache/kiln" >/dev/null || die "$label: no new archive after the damaged one"
  expect "$label: archive recorded again" "$(loaded_from_archive "$cache")" yes

  # a newer jar: another name; and the old archive under the new jar's name (time set as the
  # launcher sets it), which the JVM must refuse by itself
  local old
  old=$(wait_for_start_up_cache "$cache/kiln")
  touch -d '+1 min' "$jar"
  local name
  name=$(basename "$old")
  local size time
  read -r size time <<<"$(stat -c '%s %Y' "$jar")"
  # classes-SIZE-TIME-… : same size, new time
  cp "$old" "$cache/kiln/classes-$size-$time-${name#classes-*-*-}"
  touch -m -d "@$time" "$cache/kiln/classes-$size-$time-${name#classes-*-*-}"
  kiln_clean "$label: jar newer than the archive" "$cache"
  expect "$label: foreign archive not used" "$(loaded_from_archive "$cache")" no

  mkdir -p "$work/ro"
  kiln_clean "$label: cache path under a file" "/dev/null/cache"
  kiln_clean "$label: HOME unset, no XDG_CACHE_HOME" ""
  expect "$label: HOME unset: no cache made anywhere" "$(ls -d /nonexistent 2>/dev/null || true)" ""
  if id -u kiln-test >/dev/null 2>&1 && [[ $EUID == 0 ]]; then
    chmod 555 "$work/ro"
    chmod a+rx "$work/jar" "$jar"
    local out status=0
    out=$(runuser -u kiln-test -- env -i PATH=/usr/bin:/bin KILN_JAR="$jar" ${java_home:+JAVA_HOME=$java_home} \
      XDG_CACHE_HOME="$work/ro" "$repo/kiln" --version 2>"$work/err") || status=$?
    expect "$label: unwritable cache dir: exit code" "$status" 0
    expect "$label: unwritable cache dir: stderr" "$(cat "$work/err")" ""
    expect "$label: unwritable cache dir: nothing written" "$(ls -A "$work/ro")" ""
  else
    log "skipped: the unwritable cache dir case needs root and the kiln-test user (scripts/test.sh makes it)"
  fi
}

check_jdk ""
for release in /usr/lib/jvm/*/release; do
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  if [[ -n $v ]] && ((v >= 25)); then
    check_jdk "$(dirname "$release")"
  fi
done
log "passed: $passed checks"
