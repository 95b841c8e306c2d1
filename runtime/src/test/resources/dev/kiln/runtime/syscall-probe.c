/*
 * Tries system calls a confined container must not be able to make, one per argument, and prints
 * "NAME ok" or "NAME ERRNO-NAME" for each. Compiled static by ConfinementProbe for the tests of
 * issue 11 findings 3 and 4 (busybox has no tool for these calls). Exit status: the number of
 * calls that succeeded.
 *
 *   syscall-probe mount_setattr:/data keyctl add_key bpf unshare_user unshare_mnt clone_newns
 *                 setns open_by_handle_at umount:/data remount_rw:/data write:/data/f mknod_zero
 *                 read:/tmp/kiln-probe-zero chown
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

struct attr { uint64_t set, clr, propagation, userns_fd; };

static long clone_child(long flags) {
    long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid((pid_t) pid, 0, 0);
    return pid < 0 ? -1 : 0;
}

static long try(const char *what) {
    const char *arg = strchr(what, ':');
    arg = arg ? arg + 1 : "";
    if (!strncmp(what, "mount_setattr:", 14)) {
        struct attr a = {0, 1 /* MOUNT_ATTR_RDONLY */, 0, 0};
        return syscall(SYS_mount_setattr, AT_FDCWD, arg, 0x8000 /* AT_RECURSIVE */, &a, sizeof a);
    }
    if (!strncmp(what, "remount_rw:", 11)) return mount(NULL, arg, NULL, MS_REMOUNT | MS_BIND, NULL);
    if (!strncmp(what, "umount:", 7)) return umount2(arg, MNT_DETACH);
    if (!strncmp(what, "write:", 6)) {
        int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return -1;
        long n = write(fd, "written\n", 8);
        close(fd);
        return n == 8 ? 0 : -1;
    }
    if (!strncmp(what, "read:", 5)) {
        char buf[16];
        int fd = open(arg, O_RDONLY);
        if (fd < 0) return -1;
        long n = read(fd, buf, sizeof buf);
        close(fd);
        if (n == 0) { errno = ENODATA; return -1; }
        return n > 0 ? 0 : -1;
    }
    if (!strcmp(what, "mount_tmpfs")) return mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
    if (!strcmp(what, "keyctl")) return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0, 0, 0);
    if (!strcmp(what, "add_key")) return syscall(SYS_add_key, "user", "kiln", "x", 1, -3);
    if (!strcmp(what, "bpf")) return syscall(SYS_bpf, 0, 0, 0);
    if (!strcmp(what, "perf_event_open")) return syscall(SYS_perf_event_open, 0, 0, -1, -1, 0);
    if (!strcmp(what, "unshare_user")) return unshare(CLONE_NEWUSER);
    if (!strcmp(what, "unshare_mnt")) return unshare(CLONE_NEWNS);
    if (!strcmp(what, "unshare_files")) return unshare(CLONE_FILES);
    if (!strcmp(what, "clone_newuser")) return clone_child(CLONE_NEWUSER);
    if (!strcmp(what, "clone_plain")) return clone_child(0);
    if (!strcmp(what, "setns")) {
        int fd = open("/proc/self/ns/mnt", O_RDONLY);
        return syscall(SYS_setns, fd, 0);
    }
    if (!strcmp(what, "open_by_handle_at")) return syscall(SYS_open_by_handle_at, AT_FDCWD, 0, 0);
    if (!strcmp(what, "userfaultfd")) return syscall(SYS_userfaultfd, 0);
    if (!strcmp(what, "chroot")) return chroot("/");
    if (!strcmp(what, "mknod_zero")) return mknod("/tmp/kiln-probe-zero", S_IFCHR | 0666, makedev(1, 5));
    if (!strcmp(what, "chown")) {
        int fd = open("/tmp/kiln-probe-owned", O_WRONLY | O_CREAT, 0644);
        if (fd < 0) return -1;
        close(fd);
        return chown("/tmp/kiln-probe-owned", 1000, 1000);
    }
    errno = EINVAL;
    return -2;
}

int main(int argc, char **argv) {
    int succeeded = 0;
    for (int i = 1; i < argc; i++) {
        errno = 0;
        long rc = try(argv[i]);
        if (rc >= 0) {
            succeeded++;
            printf("%s ok\n", argv[i]);
        } else {
            printf("%s %s\n", argv[i], strerrorname_np(errno) ? strerrorname_np(errno) : "?");
        }
        fflush(stdout);
    }
    return succeeded;
}
