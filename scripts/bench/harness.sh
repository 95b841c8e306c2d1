# Shared by the runtime benchmarks (run.sh, chown.sh): runtime's test Harness on a world-readable
# class path, and a busybox root filesystem for it. Source it; needs $repo.

# harness_classpath WORK — copies the compiled runtime (and its test Harness), oci-spec and JNA
# under WORK/cp and prints the class path.
harness_classpath() {
  local work=$1 jna
  jna=$(find ~/.m2/repository/net/java/dev/jna/jna -name 'jna-*.jar' | sort -V | tail -1)
  mkdir -p "$work/cp"
  cp -r "$repo/runtime/target/classes" "$work/cp/rt"
  cp -r "$repo/runtime/target/test-classes" "$work/cp/rtt"
  cp -r "$repo/oci-spec/target/classes" "$work/cp/oci"
  cp "$jna" "$work/cp/jna.jar"
  echo "$work/cp/rt:$work/cp/rtt:$work/cp/oci:$work/cp/jna.jar"
}

# busybox_rootfs ROOT — /bin (busybox and its applets), /etc/passwd and group with root, /tmp, /root.
busybox_rootfs() {
  local root=$1 a
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root"
  cp /bin/busybox "$root/bin/busybox"
  for a in $(/bin/busybox --list); do [[ $a == busybox ]] || ln -s busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
  echo 'root:x:0:' > "$root/etc/group"
}
