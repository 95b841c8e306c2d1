#!/usr/bin/python3
"""userns-without-caps.py COMMAND ARGS... — runs COMMAND under a seccomp filter that
makes the system calls of privileged set-up fail with EPERM: mount and its
relatives, pivot_root, chroot, sethostname, setdomainname.

It stands in for GitHub's ubuntu-24.04 runners, where AppArmor
(kernel.apparmor_restrict_unprivileged_userns=1) lets an unprivileged process
create a user namespace but moves it into the unprivileged_userns profile,
which denies every capability there: the id maps are written (newuidmap runs
outside, setuid), then the first mount inside the namespace fails with EPERM.
docs/environments.md says where the stand-in differs from the real thing.

Run as root: the filter is loaded without no_new_privs, so that the setuid
newuidmap and runuser still work under it. Needs python3-seccomp.
"""
import errno
import os
import sys

import seccomp

DENIED = ["mount", "umount2", "pivot_root", "chroot", "mount_setattr", "open_tree", "move_mount",
          "fsopen", "fsconfig", "fsmount", "fspick", "sethostname", "setdomainname"]

if len(sys.argv) < 2:
    sys.exit(__doc__.strip())
rules = seccomp.SyscallFilter(seccomp.ALLOW)
rules.set_attr(seccomp.Attr.CTL_NNP, 0)
for name in DENIED:
    rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
rules.load()
os.execvp(sys.argv[1], sys.argv[1:])
