# The environments kiln must build in without flags (issue 10; the table is in
# docs/environments.md): how each one is made on a Debian 12 machine, as root.
# EnvironmentMatrixIT and scripts/bench/environments.sh run kiln through
# scripts/in-environment.sh, which sources this file; nothing else knows how an
# environment is made.
#
# Every environment is locale-free (env -i, no LANG), as CI runners and pods
# are, and sees the work directory WORK at the same path: kiln's store is
# $WORK/store (KILN_ROOT), its HOME $WORK/home. Callers put contexts and name
# outputs under WORK.

# The environments, in the order of the table.
readonly KILN_ENVIRONMENTS=(
  user user-nomap root-bwrap pod-root pod-root-nouserns pod-user-nouserns
  pod-user-unconfined pod-recipe root ubuntu-24.04
)

# The test users (scripts/lib/users.sh makes them); uid 1000 inside pods. The
# recipe's pod has a user namespace of its own (hostUsers: false): its ids 0-65535
# are the host's ENV_POD_IDS and up.
readonly ENV_USER=kiln-test ENV_USER_NOMAP=kiln-nomap ENV_POD_USER=1000:1000 ENV_POD_IDS=200000

# environment_owner ENV — who must own WORK: a user name, uid:gid, or "root".
environment_owner() {
  case $1 in
    user | ubuntu-24.04) echo "$ENV_USER" ;;
    user-nomap) echo "$ENV_USER_NOMAP" ;;
    pod-user-*) echo "$ENV_POD_USER" ;;
    pod-recipe) echo "$((ENV_POD_IDS + 1000)):$((ENV_POD_IDS + 1000))" ;;
    root | root-bwrap | pod-root | pod-root-nouserns) echo root ;;
    *) die "unknown environment '$1' (known: ${KILN_ENVIRONMENTS[*]})" ;;
  esac
}

# host_java — the JDK's java binary (not the alternatives link).
host_java() {
  readlink -f "$(command -v java)"
}

# locale_free_env WORK — the variables every environment starts from (for env -i).
locale_free_env() {
  printf '%s\n' "HOME=$1/home" "KILN_ROOT=$1/store"
}

# make_pod_rootfs DIR JAR — the root filesystem of the pod-like containers: the
# host's JDK (hard links where it can), the shared libraries it loads (copies), busybox as
# /bin/sh, /etc/passwd with root and kiln (1000:1000), the jar as
# /opt/kiln/kiln.jar. No newuidmap and no /etc/subuid, as in a slim JRE image.
# Remade only when JAR changed (DIR/.jar.sha256).
make_pod_rootfs() {
  local dir=$1 jar=$2 jdk sum lib
  sum=$(sha256sum "$jar" | cut -d' ' -f1)
  [[ -f $dir/.jar.sha256 && $(<"$dir/.jar.sha256") == "$sum" ]] && return
  jdk=$(dirname "$(dirname "$(host_java)")")
  rm -rf "$dir"
  mkdir -p "$dir"/{usr/bin,usr/lib/jvm,usr/lib64,etc,proc,sys,dev,run,root,home/kiln,opt/kiln}
  # mount points runc would otherwise create, which the pod's own root (in
  # pod-recipe's user namespace) may not do in a root-owned directory
  touch "$dir"/etc/{resolv.conf,hosts,hostname} "$dir/run/.containerenv"
  install -d -m 1777 "$dir/tmp"
  ln -s usr/bin "$dir/bin"
  ln -s usr/lib "$dir/lib"
  ln -s usr/lib64 "$dir/lib64"
  cp -al "$jdk" "$dir/usr/lib/jvm/" 2>/dev/null || cp -a "$jdk" "$dir/usr/lib/jvm/" # links need one file system
  ln -s "../lib/jvm/$(basename "$jdk")/bin/java" "$dir/usr/bin/java"
  # the JDK's conf/ and jvm.cfg are links into /etc/java-*
  find "$jdk" -type l -lname '/etc/*' -printf '%l\n' | cut -d/ -f3 | sort -u | while read -r lib; do
    cp -a "/etc/$lib" "$dir/etc/"
  done
  find "$jdk" \( -name '*.so' -o -path '*/bin/java' \) -print0 | xargs -0 ldd 2>/dev/null |
    grep -o '/[^ ]*\.so[^ ]*' | sort -u | while read -r lib; do
    if [[ -e $lib && $lib != */lib/jvm/* ]]; then
      cp -L --parents "$lib" "$dir"
    fi
  done
  cp /bin/busybox "$dir/usr/bin/busybox"
  ln -s busybox "$dir/usr/bin/sh"
  printf 'root:x:0:0:root:/root:/bin/sh\nkiln:x:1000:1000:kiln:/home/kiln:/bin/sh\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nkiln:x:1000:\n' >"$dir/etc/group"
  chown 1000:1000 "$dir/home/kiln"
  install -m 644 "$jar" "$dir/opt/kiln/kiln.jar"
  echo "$sum" >"$dir/.jar.sha256"
}

# seccomp_deny_userns PROFILE — PROFILE (a containers seccomp.json) with one
# rule added: clone and unshare with CLONE_NEWUSER fail with EPERM, as under
# Docker's and containerd's default profiles (RuntimeDefault in Kubernetes);
# clone3, whose flags seccomp cannot see, fails with ENOSYS so that libc falls
# back to clone.
seccomp_deny_userns() {
  jq --argjson newuser $((0x10000000)) '
    .syscalls |= map(.names |= map(select(. != "clone" and . != "clone3" and . != "unshare")))
    | .syscalls += [
        {names: ["clone", "unshare"], action: "SCMP_ACT_ALLOW",
         args: [{index: 0, value: $newuser, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ"}],
         comment: "kiln test: clone and unshare without CLONE_NEWUSER"},
        {names: ["clone", "unshare"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
         args: [{index: 0, value: $newuser, valueTwo: $newuser, op: "SCMP_CMP_MASKED_EQ"}],
         comment: "kiln test: CLONE_NEWUSER denied (EPERM)"},
        {names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38,
         comment: "kiln test: ENOSYS, so that callers fall back to clone"}]' "$1"
}

# kiln_seccomp_profile PROFILE — examples/kubernetes/seccomp-kiln.json made from
# PROFILE, containers-common's seccomp.json: chroot, sethostname, setdomainname
# and setns allowed whatever the container's capabilities (kiln calls them only
# inside its own user namespace, where it holds the capabilities they need).
kiln_seccomp_profile() {
  jq --tab '
    (["chroot", "sethostname", "setdomainname", "setns"]) as $kiln
    | .syscalls |= map(if (.includes.caps // []) + (.excludes.caps // []) | length > 0
                       then .names -= $kiln else . end)
    | .syscalls |= map(select(.names | length > 0))
    | .syscalls += [{names: $kiln, action: "SCMP_ACT_ALLOW", args: [], comment:
        "kiln: allowed without capabilities in the container; they work only inside the user namespace kiln creates, where kiln holds them (see examples/kubernetes/README.md)",
        includes: {}, excludes: {}}]' "$1"
}

# pod_options ENV PROFILE_DIR — podman run's security options of a pod environment.
# pod-recipe is examples/kubernetes/job.yaml's pod (and the GitLab runner's
# security_opt): uid 1000 in a user namespace of the pod's own, the seccomp
# profile kiln ships, AppArmor unconfined, every capability dropped, no
# privilege escalation.
pod_options() {
  local env=$1 profiles=$2
  case $env in
    pod-root) ;;
    pod-root-nouserns) echo "--security-opt=seccomp=$profiles/seccomp-nouserns.json" ;;
    pod-user-nouserns) printf '%s\n' "--user=$ENV_POD_USER" "--security-opt=seccomp=$profiles/seccomp-nouserns.json" ;;
    pod-user-unconfined)
      printf '%s\n' "--user=$ENV_POD_USER" --security-opt=seccomp=unconfined --security-opt=apparmor=unconfined ;;
    pod-recipe)
      printf '%s\n' "--user=$ENV_POD_USER" "--security-opt=seccomp=$kiln_repo/examples/kubernetes/seccomp-kiln.json" \
        --security-opt=apparmor=unconfined --cap-drop=ALL --security-opt=no-new-privileges \
        "--uidmap=0:$ENV_POD_IDS:65536" "--gidmap=0:$ENV_POD_IDS:65536" ;;
  esac
}

# in_pod ENV WORK JAR COMMAND... — COMMAND in a rootful podman container (runc,
# host network to reach the registries) from make_pod_rootfs's root filesystem,
# mounted as an overlay like an image's; WORK is a volume at the same path. The
# pod root filesystem is kept in $KILN_ENV_CACHE (default WORK/..).
in_pod() {
  local env=$1 work=$2 jar=$3 cache rootfs nofile nproc state status=0 opts=()
  shift 3
  cache=${KILN_ENV_CACHE:-$(dirname "$work")}
  rootfs=$cache/pod-rootfs
  make_pod_rootfs "$rootfs" "$jar"
  seccomp_deny_userns /usr/share/containers/seccomp.json >"$work/seccomp-nouserns.json"
  mapfile -t opts < <(pod_options "$env" "$work")
  # podman's default limits may lie above this machine's hard limits, which runc
  # cannot raise (EPERM); ask for what a pod commonly gets, or less
  nofile=$(($(ulimit -Hn) < 4096 ? $(ulimit -Hn) : 4096))
  nproc=$(($(ulimit -Hu) < 4096 ? $(ulimit -Hu) : 4096))
  # podman's state for this one container (its run root path must stay under 50 characters);
  # the pod's own root (pod-recipe's user namespace) must traverse it
  state=$(mktemp -d /tmp/kiln-pod.XXXXXX)
  chmod 755 "$state"
  podman --root "$state/storage" --runroot "$state/run" --storage-driver vfs \
    --runtime runc --cgroup-manager cgroupfs --events-backend file \
    run --rm --network host --ulimit "nofile=$nofile:$nofile" \
    --ulimit "nproc=$nproc:$nproc" "${opts[@]}" \
    -v "$work:$work" --env-file <(locale_free_env "$work") --workdir "$work" \
    --rootfs "$rootfs:O" "$@" || status=$?
  # podman's cleanup of the rootfs overlay may still be under way
  { findmnt -rn -o TARGET | grep "^$state/" || true; } | sort -r | xargs -r umount -l
  rm -rf "$state"
  return "$status"
}

# in_environment ENV WORK JAR COMMAND... — runs COMMAND in ENV; its exit code.
# COMMAND "kiln ARGS..." is the jar JAR (in pods: its copy in the pod image);
# another command is looked up on the host's PATH (in pods: the pod image's).
in_environment() {
  local env=$1 work=$2 jar=$3 java owner cmd=()
  shift 3
  java=$(host_java)
  owner=$(environment_owner "$env")
  # HOME, and a directory for XDG_RUNTIME_DIR should a command need one
  mkdir -p "$work/home"
  mkdir -p -m 700 "$work/run"
  # not recursive: the store may hold files of subordinate ids
  [[ $owner == root ]] || chown "$owner" "$work" "$work/home" "$work/run"
  if [[ $env == pod-* && $1 == kiln ]]; then
    in_pod "$env" "$work" "$jar" java -jar /opt/kiln/kiln.jar "${@:2}" || return
    return 0
  elif [[ $env == pod-* ]]; then
    in_pod "$env" "$work" "$jar" "$@" || return
    return 0
  elif [[ $1 == kiln ]]; then
    cmd=("$java" -jar "$jar" "${@:2}")
  else
    cmd=("$(command -v "$1")" "${@:2}")
  fi
  case $env in
    user)
      runuser -u "$ENV_USER" -- env -i $(locale_free_env "$work") PATH=/usr/bin:/bin "${cmd[@]}" ;;
    user-nomap)
      # a PATH with java and without newuidmap/newgidmap
      mkdir -p "$work/bin"
      ln -sf "$java" "$work/bin/java"
      runuser -u "$ENV_USER_NOMAP" -- env -i $(locale_free_env "$work") PATH="$work/bin" "${cmd[@]}" ;;
    root-bwrap)
      env -i $(locale_free_env "$work") PATH=/usr/bin:/bin \
        bwrap --dev-bind / / --disable-userns --unshare-user --uid 0 -- "${cmd[@]}" ;;
    root)
      env -i $(locale_free_env "$work") PATH=/usr/bin:/bin "${cmd[@]}" ;;
    ubuntu-24.04)
      # in a mount namespace of its own, /proc/sys/kernel shows the sysctl as Ubuntu
      # has it (a tmpfs copy of the real directory plus the file), then the filter
      mkdir -p "$work/sysctl"
      unshare --mount --propagation private -- bash -c '
        set -e
        mount -t tmpfs -o mode=755 kiln-sysctl "$1"
        cp -r /proc/sys/kernel/. "$1/" 2>/dev/null || true
        echo 1 >"$1/apparmor_restrict_unprivileged_userns"
        mount --bind "$1" /proc/sys/kernel
        shift
        exec "$@"' bash "$work/sysctl" \
        /usr/bin/python3 "$kiln_repo/scripts/lib/userns-without-caps.py" \
        runuser -u "$ENV_USER" -- env -i $(locale_free_env "$work") PATH=/usr/bin:/bin "${cmd[@]}" ;;
    *) die "unknown environment '$env' (known: ${KILN_ENVIRONMENTS[*]})" ;;
  esac
}
