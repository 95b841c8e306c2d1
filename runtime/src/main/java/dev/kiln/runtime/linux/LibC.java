package dev.kiln.runtime.linux;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * Direct-mapped libc calls. Every pointer is a {@code long} address of native memory allocated
 * before the call, so that code running in a freshly cloned child neither allocates on the Java
 * heap nor creates JNA objects. Syscalls without a glibc wrapper in Debian 12 go through
 * {@link #syscall}.
 */
final class LibC {
    static {
        NativeBoot.configure();
        Native.register(NativeLibrary.getInstance("libc.so.6"));
    }

    private LibC() {}

    static void load() {
        // Forces the static initialiser.
    }

    // syscall numbers (x86_64; aarch64 below)
    static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    static final long SYS_CLONE = AARCH64 ? 220 : 56;
    static final long SYS_EXIT_GROUP = AARCH64 ? 94 : 231;
    static final long SYS_PIVOT_ROOT = AARCH64 ? 41 : 155;
    static final long SYS_CLOSE_RANGE = 436;
    static final long SYS_PIDFD_OPEN = 434;
    static final long SYS_MOUNT_SETATTR = 442;
    static final long SYS_OPENAT2 = 437;
    static final long SYS_OPEN_TREE = 428;
    static final long SYS_MOVE_MOUNT = 429;
    static final int OPEN_TREE_CLONE = 1;
    static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    static final long SYS_CAPGET = AARCH64 ? 90 : 125;
    static final long SYS_CAPSET = AARCH64 ? 91 : 126;
    static final long SYS_SECCOMP = AARCH64 ? 277 : 317;
    static final long SYS_SETNS = AARCH64 ? 268 : 308;
    // Raw setgroups/setresuid/setresgid: glibc's wrappers broadcast the change to every thread it
    // knows of (SIGSETXID under a lock), and a cloned JVM child has one thread but the parent's list.
    static final long SYS_SETGROUPS = AARCH64 ? 159 : 116;
    static final long SYS_SETRESUID = AARCH64 ? 147 : 117;
    static final long SYS_SETRESGID = AARCH64 ? 149 : 119;
    // seccomp user notification and the unix socket that carries its listener (ChownListener)
    static final long SYS_CONNECT = AARCH64 ? 203 : 42;
    static final long SYS_SENDMSG = AARCH64 ? 211 : 46;
    static final long SYS_RECVMSG = AARCH64 ? 212 : 47;
    static final long SYS_BIND = AARCH64 ? 200 : 49;
    static final long SYS_LISTEN = AARCH64 ? 201 : 50;
    static final long SYS_ACCEPT4 = AARCH64 ? 242 : 288;
    static final long SYS_FCHOWNAT = AARCH64 ? 54 : 260;
    static final long SYS_STATX = AARCH64 ? 291 : 332;

    // clone flags
    static final long CLONE_NEWNS = 0x00020000L;
    static final long CLONE_NEWUTS = 0x04000000L;
    static final long CLONE_NEWIPC = 0x08000000L;
    static final long CLONE_NEWUSER = 0x10000000L;
    static final long CLONE_NEWPID = 0x20000000L;
    static final long CLONE_NEWNET = 0x40000000L;
    static final int SIGCHLD = 17;

    // mount flags
    static final long MS_RDONLY = 1;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final long MS_NOEXEC = 8;
    static final long MS_REMOUNT = 32;
    static final long MS_BIND = 4096;
    static final long MS_REC = 16384;
    static final long MS_PRIVATE = 1 << 18;
    static final int MNT_DETACH = 2;
    static final long MOUNT_ATTR_RDONLY = 1;
    static final long MOUNT_ATTR_NOSUID = 2;
    static final long MOUNT_ATTR_NODEV = 4;
    static final int AT_RECURSIVE = 0x8000;
    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_EMPTY_PATH = 0x1000;

    // open flags
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_NOCTTY = 0400;
    static final int O_TRUNC = 01000;
    static final int O_APPEND = 02000;
    static final int O_NONBLOCK = 04000;
    static final int F_SETFL = 4;
    static final int O_DIRECTORY = 0200000;
    static final int O_NOFOLLOW = 0400000;
    static final int O_CLOEXEC = 02000000;
    static final int O_PATH = 010000000;

    static final int CLOSE_RANGE_CLOEXEC = 4;
    // openat2(2) resolve flags
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_IN_ROOT = 0x10;
    static final int PR_SET_PDEATHSIG = 1;
    static final int PR_CAPBSET_READ = 23;
    static final int PR_CAPBSET_DROP = 24;
    static final int PR_SET_NO_NEW_PRIVS = 38;
    static final int PR_CAP_AMBIENT = 47;
    static final int PR_CAP_AMBIENT_CLEAR_ALL = 4;
    static final int SECCOMP_SET_MODE_FILTER = 1;
    /** _LINUX_CAPABILITY_VERSION_3: 64-bit sets as two 32-bit words. */
    static final int CAPABILITY_VERSION_3 = 0x20080522;
    static final int WNOHANG = 1;
    static final int POLLIN = 1;
    static final int POLLHUP = 0x10;
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    static final int S_IFCHR = 0020000;
    static final int S_IFIFO = 0010000;

    // errno values used in decisions
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int ENOTDIR = 20;
    static final int EPIPE = 32;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ENODATA = 61;
    static final int ENOSYS = 38;
    static final int ESRCH = 3;

    // networking, for bringing loopback up
    static final int AF_INET = 2;
    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 04000;
    static final int SOCK_CLOEXEC = 02000000;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int SOCK_DGRAM = 2;
    static final long SIOCGIFFLAGS = 0x8913;
    static final long TIOCGWINSZ = 0x5413; // the same on x86_64 and aarch64
    static final long SIOCSIFFLAGS = 0x8914;
    static final int IFF_UP = 0x1;
    static final int IFF_RUNNING = 0x40;

    static native long syscall(long number, long a1, long a2, long a3, long a4, long a5);

    static native int mount(long source, long target, long fstype, long flags, long data);

    static native int umount2(long target, int flags);

    static native int chdir(long path);

    static native int fchdir(int fd);

    static native int chroot(long path);

    static native int execve(long path, long argv, long envp);

    static native int pipe2(long fds, int flags);

    static native long read(int fd, long buf, long count);

    static native long write(int fd, long buf, long count);

    static native int close(int fd);

    static native int syncfs(int fd);

    static native int waitpid(int pid, long status, int options);

    static native int kill(int pid, int sig);

    static native int mknod(long path, int mode, long dev);

    static native int mkfifo(long path, int mode);

    static native int mkdir(long path, int mode);

    static native int symlink(long target, long linkpath);

    static native int open(long path, int flags, int mode);

    static native int dup3(int oldfd, int newfd, int flags);

    static native int sethostname(long name, long len);

    static native int umask(int mask);

    static native int prctl(int option, long a2, long a3, long a4, long a5);

    static native int poll(long fds, long nfds, int timeout);

    static native int socket(int domain, int type, int protocol);

    static native int ioctl(int fd, long request, long arg);

    static native int isatty(int fd);

    static native int getuid();

    static native int geteuid();

    static native int getgid();

    static native int getpid();

    static native int getppid();

    static native int setsid();

    static native int fcntl(int fd, int cmd, long arg);

    static native long readlink(long path, long buf, long size);

    static native long getxattr(long path, long name, long value, long size);

    static native int setxattr(long path, long name, long value, long size, int flags);

    static native int removexattr(long path, long name);

    static native void _exit(int status);
}
