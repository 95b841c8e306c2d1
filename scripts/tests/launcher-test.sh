#!/usr/bin/env bash
# Tests of the kiln launcher's start-up cache (./kiln; docs/performance.md): it is recorded in the
# background and then used, and a damaged, stale or foreign archive, an unwritable cache and no
# HOME at all never break a run or make it print anything but kiln's output. The answer to
# `kiln --version` the launcher gives without a JVM is the JVM's byte for byte, and a stale or
# damaged one, or a JVM option, leaves the answer to the JVM. A symlinked launcher finds its jar.
# For the java on PATH and every JDK 25 or later under /usr/lib/jvm (the AOT cache). Needs
# builder/target/kiln.jar.
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
# test, answered by the JVM (the launcher's own answer removed first); fails unless it exits 0,
# prints kiln's version and nothing on stderr
kiln_clean() {
  local name=$1 cache=$2 out status=0
  shift 2
  rm -f "$cache"/kiln/version-*
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

# no_jvm CACHE ARGS... — runs kiln ARGS where no JVM can start (address space limited to 64 MB:
# the JVM dies reserving its heap or code cache), stdout to $work/out, stderr to $work/err; prints
# "answered" when it exited 0, else "needs a JVM"
no_jvm() {
  local cache=$1
  shift
  if (
    cd "$work" # where a JVM that dies leaves its hs_err file
    ulimit -v 65536
    env -i PATH=/usr/bin:/bin KILN_JAR="$jar" ${java_home:+JAVA_HOME=$java_home} XDG_CACHE_HOME="$cache" \
      "$repo/kiln" "$@" >"$work/out" 2>"$work/err"
  ) 2>/dev/null; then
    echo answered
  else
    echo "needs a JVM"
  fi
}

# jvm_answer CACHE [ENV...] — kiln --version by the JVM into $work/jvm.out (which then records the
# launcher's answer)
jvm_answer() {
  local cache=$1
  shift
  env -i PATH=/usr/bin:/bin KILN_JAR="$jar" ${java_home:+JAVA_HOME=$java_home} XDG_CACHE_HOME="$cache" "$@" \
    "$repo/kiln" --version >"$work/jvm.out"
}

# restamp FILE — gives FILE the jar's time again, as the JVM does when it writes the answer
restamp() { touch -m -r "$jar" "$1"; }

check_version_answer() { # check_version_answer LABEL CACHE — after the start-up cache is recorded
  local label=$1 cache=$2 answer
  log "$label: kiln --version without a JVM"
  rm -f "$cache"/kiln/version-*
  expect "$label: without the launcher's answer, no JVM: fails" "$(no_jvm "$cache" --version)" "needs a JVM"
  jvm_answer "$cache"
  cp "$work/jvm.out" "$work/version"
  answer=$(echo "$cache"/kiln/version-*)
  expect "$label: answer recorded" "$([[ -f $answer ]] && echo yes)" yes
  for arg in --version -V; do
    expect "$label: $arg answered without a JVM" "$(no_jvm "$cache" "$arg")" answered
    expect "$label: $arg byte for byte the JVM's" "$(cmp "$work/out" "$work/jvm.out" && echo same)" same
    expect "$label: $arg stderr" "$(cat "$work/err")" ""
  done
  expect "$label: answered to a closed stdout, as the JVM does" \
    "$( (ulimit -v 65536; env -i PATH=/usr/bin:/bin KILN_JAR="$jar" ${java_home:+JAVA_HOME=$java_home} \
      XDG_CACHE_HOME="$cache" "$repo/kiln" --version 2>&1 >&-; echo "status $?"))" "status 0"
  expect "$label: answered to a full stdout, as the JVM does" \
    "$( (ulimit -v 65536; env -i PATH=/usr/bin:/bin KILN_JAR="$jar" ${java_home:+JAVA_HOME=$java_home} \
      XDG_CACHE_HOME="$cache" "$repo/kiln" --version 2>&1 >/dev/full; echo "status $?"))" "status 0"
  # anything else is the JVM's
  expect "$label: two arguments go to the JVM" "$(no_jvm "$cache" --version --version)" "needs a JVM"
  local var
  for var in KILN_JAVA_OPTS JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS; do
    expect "$label: $var set: the JVM answers" \
      "$( (ulimit -v 65536; env -i PATH=/usr/bin:/bin KILN_JAR="$jar" ${java_home:+JAVA_HOME=$java_home} \
        XDG_CACHE_HOME="$cache" "$var=" "$repo/kiln" --version >/dev/null 2>&1) 2>/dev/null || echo "needs a JVM")" \
      "needs a JVM"
  done
  expect "$label: KILN_NO_CDS: the JVM answers" "$( (ulimit -v 65536; env -i PATH=/usr/bin:/bin KILN_JAR="$jar" \
    ${java_home:+JAVA_HOME=$java_home} XDG_CACHE_HOME="$cache" KILN_NO_CDS=1 "$repo/kiln" --version \
    >/dev/null 2>&1) 2>/dev/null || echo "needs a JVM")" "needs a JVM"

  # written to since (its time is no longer the jar's): the JVM answers and records it again
  cp "$answer" "$work/answer"
  echo >>"$answer"
  expect "$label: answer written to since: not used" "$(no_jvm "$cache" --version)" "needs a JVM"
  jvm_answer "$cache"
  expect "$label: answer recorded again" "$(cmp "$answer" "$work/answer" && echo same)" same
  expect "$label: recorded again: used" "$(no_jvm "$cache" --version)" answered
  # damaged with the jar's time kept: short, longer, another JDK's or kernel's, another format
  local damaged
  for damaged in short long java os format nul; do
    cp "$work/answer" "$answer"
    case $damaged in
    short) truncate -s -1 "$answer" ;;
    long) echo x >>"$answer" ;;
    java) sed -i '2s/$/.1/' "$answer" ;;
    os) sed -i '3s/$/-other/' "$answer" ;;
    format) sed -i '1s/1$/2/' "$answer" ;;
    nul) printf '\0' | dd of="$answer" bs=1 seek=60 conv=notrunc status=none ;;
    esac
    restamp "$answer"
    expect "$label: answer damaged ($damaged): not used" "$(no_jvm "$cache" --version)" "needs a JVM"
    kiln_clean "$label: answer damaged ($damaged): the JVM answers" "$cache"
  done
  rm -f "$answer"
  mkdir "$answer"
  restamp "$answer"
  expect "$label: answer a directory: not used" "$(no_jvm "$cache" --version)" "needs a JVM"
  jvm_answer "$cache"
  expect "$label: answer a directory: the JVM answers" "$(cmp "$work/jvm.out" "$work/version" && echo same)" same
  rmdir "$answer"
  jvm_answer "$cache"
  # the very first run (no cache directory yet) records the answer too
  jvm_answer "$work/fresh-cache"
  expect "$label: recorded by the first run in a new cache" "$(no_jvm "$work/fresh-cache" --version)" answered
  rm -rf "$work/fresh-cache"
  # a newer jar: another name (the launcher's start-up cache for it, recorded where no JVM starts,
  # fails: the jar's time is put back after)
  touch -m -r "$jar" "$work/jar-time"
  touch -d '+2 min' "$jar"
  expect "$label: jar newer than the answer: not used" "$(no_jvm "$cache" --version)" "needs a JVM"
  touch -m -r "$work/jar-time" "$jar"
  expect "$label: the jar's time back: used" "$(no_jvm "$cache" --version)" answered
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
  check_version_answer "$label" "$cache"

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
  touch -m -r "$old" "$jar" # back to the recorded archive's jar

  # JAVA_HOME through a symlinked directory: the same archive
  local real_home=${java_home:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
  ln -sfn "$real_home" "$work/jdk-link"
  expect "$label: JAVA_HOME through a symlink: archive used" \
    "$(java_home=$work/jdk-link loaded_from_archive "$cache")" yes
  java_home=$work/jdk-link kiln_clean "$label: JAVA_HOME through a symlink" "$cache"

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

# the launcher through symlinks and relative paths finds the jar beside it (no KILN_JAR)
check_symlinks() {
  local expected out
  expected="kiln $(unzip -p "$repo/builder/target/kiln.jar" dev/kiln/builder/cli/version.properties |
    sed -n 's/^version=//p')"
  mkdir -p "$work/bin" "$work/links"
  ln -sfn "$repo/kiln" "$work/bin/kiln"
  ln -sfn "../bin/kiln" "$work/links/kiln"   # a relative link to a link
  ln -sfn "$repo" "$work/repo-link"           # a symlinked directory on the way
  for how in "$work/bin/kiln" "$work/links/kiln" "$work/repo-link/kiln" kiln-on-path ./kiln bare; do
    case $how in
    kiln-on-path) out=$(env -i PATH="$work/bin:/usr/bin:/bin" kiln --version) ;;
    ./kiln) out=$(cd "$repo" && env -i PATH=/usr/bin:/bin ./kiln --version) ;;
    bare) out=$(cd "$repo" && env -i PATH=/usr/bin:/bin bash kiln --version) ;;
    *) out=$(env -i PATH=/usr/bin:/bin "$how" --version) ;;
    esac
    expect "launcher as $how: first line" "${out%%$'\n'*}" "$expected"
  done
}

check_symlinks
check_jdk ""
for release in /usr/lib/jvm/*/release; do
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  if [[ -n $v ]] && ((v >= 25)); then
    check_jdk "$(dirname "$release")"
  fi
done
log "passed: $passed checks"
