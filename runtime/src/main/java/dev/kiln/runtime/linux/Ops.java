package dev.kiln.runtime.linux;

/** Operation codes and flags of a {@link ChildProgram}, shared by its writer and the spawner. */
final class Ops {
    static final int MOUNT = 1;
    static final int UMOUNT2 = 2;
    static final int MOUNT_SETATTR = 3;
    static final int MKDIR = 4;
    static final int CREATE_FILE = 5;
    static final int SYMLINK = 6;
    static final int OPEN_AT_FD = 7;
    static final int DUP2 = 8;
    static final int CHDIR = 9;
    static final int FCHDIR = 10;
    static final int CHROOT = 11;
    static final int PIVOT_ROOT = 12;
    static final int SETHOSTNAME = 13;
    static final int LOOPBACK_UP = 14;
    static final int CLOSE_RANGE_CLOEXEC = 15;
    static final int SETGROUPS = 16;
    static final int SETRESGID = 17;
    static final int SETRESUID = 18;
    static final int UMASK = 19;
    static final int PDEATHSIG = 20;
    static final int EXEC = 21;
    static final int WAIT_BYTE = 22;
    static final int CLOSE_OTHER_FDS = 23;
    static final int CHDIR_IN_ROOT = 24;
    static final int MOUNT_PROC = 25;
    static final int CONNECT_UNIX = 26;
    static final int SECCOMP_LISTENER = 27;
    static final int DROP_BOUNDING_CAPS = 28;
    static final int CAPSET = 29;
    static final int PRCTL = 30;
    static final int SECCOMP_FILTER = 31;
    static final int SETNS = 32;
    /** The highest op code. */
    static final int LAST = SETNS;

    static final int FLAG_IGNORE_EEXIST = 1;
    static final int FLAG_BEST_EFFORT = 2;
    /** The path may be missing (a /proc file this kernel lacks): ENOENT is no failure. */
    static final int FLAG_IGNORE_ENOENT = 4;

    // argument tags on the wire
    static final int ARG_NONE = 0;
    static final int ARG_STRING = 1;
    static final int ARG_LONG = 2;
    static final int ARG_STRINGS = 3;
    static final int ARG_BYTES = 4;

    static final int ARGS = 5;

    private Ops() {}
}
