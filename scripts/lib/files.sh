# File helpers for the fixture scripts.

# remove_tree DIR — delete DIR, first unmounting anything mounted inside it
# (debootstrap mounts /proc and /sys in its target; a killed run leaves them).
remove_tree() {
  local mount
  for mount in $(findmnt -rn -o TARGET | grep -F "$1/" | sort -r); do
    umount -l "$mount" || true
  done
  rm -rf --one-file-system "$1"
}
