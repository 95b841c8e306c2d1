package dev.kiln.runtime.linux;

import com.sun.jna.Native;

/**
 * The code a cloned child runs between {@code clone} and {@code execve}. It walks a table of
 * operations whose arguments are raw native addresses and numbers, prepared by the spawner before
 * the clone. It must not allocate on the Java heap, throw, or touch any lock: the child is a copy
 * of a JVM whose other threads do not exist. Any failure writes {@code 'E', op index, errno} to the
 * CLOEXEC error pipe and exits 125; a successful {@code execve} closes the pipe.
 */
final class ChildExecutor {
    static final int STRIDE = 7;
    static final int EXIT_SETUP_FAILED = 125;
    /** Bytes of scratch {@link Ops#SECCOMP_LISTENER} needs: sock_fprog, msghdr, iovec, cmsg, payload. */
    static final int LISTENER_SCRATCH = 128;
    private static final long SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
    /** Helpers return {@code EXPLICIT_ERRNO - errno} when they know the errno themselves. */
    private static final long EXPLICIT_ERRNO = -1000;

    private ChildExecutor() {}

    /**
     * Clones a child (clone flags {@code flags}, SIGCHLD included) that runs {@code n} ops of
     * {@code table} ({@link #run}) and exits with status 125 if none of them exec'd. In the parent,
     * returns the child's pid, or -1 with the errno in {@link Native#getLastError}; the child never
     * returns. Every call site the child reaches from here is one that {@link #warmUp} has run in
     * the parent: the child inherits them resolved, so it neither links a method nor faults in the
     * pages linking writes.
     */
    static long cloneChild(long flags, long[] table, int n, int errFd, long scratch) {
        long pid = LibC.syscall(LibC.SYS_CLONE, flags, 0, 0, 0, 0);
        if (pid == 0) {
            LibC.syscall(LibC.SYS_EXIT_GROUP, run(table, n, errFd, scratch), 0, 0, 0, 0);
        }
        return pid;
    }

    /**
     * Runs {@code n} ops from {@code table} (STRIDE longs each: code, flags, five args); returns
     * {@link #EXIT_SETUP_FAILED} when one failed (reported on {@code errFd}) or none exec'd.
     * {@code scratch} is 64 bytes of native memory for the pipe messages.
     */
    static int run(long[] table, int n, int errFd, long scratch) {
        putByte(scratch, (byte) 'C');
        LibC.write(errFd, scratch, 1);
        for (int i = 0; i < n; i++) {
            int at = i * STRIDE;
            int code = (int) table[at];
            int flags = (int) table[at + 1];
            long rc = code == Ops.CLOSE_OTHER_FDS ? closeAllBut(table[at + 2], errFd)
                    : perform(code, table[at + 2], table[at + 3], table[at + 4], table[at + 5],
                            table[at + 6]);
            if (rc < 0) {
                int errno = rc <= EXPLICIT_ERRNO ? (int) (EXPLICIT_ERRNO - rc) : Native.getLastError();
                if ((flags & Ops.FLAG_IGNORE_EEXIST) != 0 && errno == LibC.EEXIST) {
                    continue;
                }
                if ((flags & Ops.FLAG_IGNORE_ENOENT) != 0 && errno == LibC.ENOENT) {
                    continue;
                }
                if ((flags & Ops.FLAG_BEST_EFFORT) != 0) {
                    continue;
                }
                return fail(errFd, scratch, i, errno);
            }
        }
        return EXIT_SETUP_FAILED;
    }

    /**
     * Runs every op code once in this (parent) process with arguments that make each call fail
     * harmlessly (bad addresses, bad descriptors), so that the class is initialised and every call
     * site resolved before any clone: a child then never needs the class loader or a VM lock.
     * {@code scratch} is {@link #LISTENER_SCRATCH} bytes.
     */
    static void warmUp(long scratch) {
        NativeMemory.putLong(scratch, 0);
        NativeMemory.putLong(scratch + 8, 0);
        long emptyString = scratch + 8;
        NativeMemory.putLong(scratch + 16, emptyString);
        NativeMemory.putLong(scratch + 24, 0);
        long candidates = scratch + 16;
        long bad = -4096L; // an address no process maps: every call taking it fails with EFAULT
        int mask = LibC.umask(022);
        LibC.umask(mask);
        closeAllBut(0xffffffffL, -1); // closes only descriptor 2^32-1, which no process has
        for (int code = Ops.MOUNT; code <= Ops.LAST; code++) {
            switch (code) {
                case Ops.UMASK:
                    perform(code, mask, 0, 0, 0, 0);
                    break;
                case Ops.PDEATHSIG:
                    perform(code, 0, 0, 0, 0, 0); // 0 is the default: no signal
                    break;
                case Ops.SETRESGID:
                case Ops.SETRESUID:
                    perform(code, -1, 0, 0, 0, 0); // -1 leaves the ids as they are
                    break;
                case Ops.EXEC:
                    perform(code, candidates, bad, bad, 0, 0); // execve("") fails with ENOENT
                    break;
                case Ops.SETHOSTNAME:
                    perform(code, bad, -1, 0, 0, 0);
                    break;
                case Ops.SETGROUPS:
                    perform(code, 1, bad, 0, 0, 0);
                    break;
                case Ops.CLOSE_RANGE_CLOEXEC:
                    perform(code, 0xffffffffL, 0, 0, 0, 0); // first > last: EINVAL
                    break;
                case Ops.FCHDIR:
                case Ops.DUP2:
                case Ops.WAIT_BYTE:
                    perform(code, -1, -1, 0, 0, 0);
                    break;
                case Ops.LOOPBACK_UP:
                case Ops.CAPSET:
                    perform(code, bad, 0, 0, 0, 0);
                    break;
                case Ops.CONNECT_UNIX:
                    perform(code, bad, 110, -1, 0, 0); // connect(bad sockaddr): EFAULT
                    break;
                case Ops.SECCOMP_LISTENER:
                    perform(code, bad, 1, scratch, -1, 0); // seccomp(bad filter): EFAULT, nothing installed
                    sendFd(-1, -1, scratch); // EBADF
                    break;
                case Ops.DROP_BOUNDING_CAPS:
                    perform(code, -1, 0, 0, 0, 0); // keeps every capability: drops none
                    break;
                case Ops.PRCTL:
                    perform(code, -1, 0, 0, 0, 0); // no such option: EINVAL
                    break;
                case Ops.SECCOMP_FILTER:
                    perform(code, bad, 0, scratch + 32, 0, 0); // an empty filter: EINVAL
                    break;
                default:
                    perform(code, bad, bad, bad, -1, bad);
            }
        }
        // what only a child reaches otherwise: run and fail (writing to descriptor -1: EBADF),
        // close after a successful open, the reads and the capset after a successful capget or
        // ioctl, the exit
        run(new long[0], 0, -1, scratch);
        fail(-1, scratch, 0, 0);
        LibC.close(-1);
        NativeMemory.getInt(scratch);
        NativeMemory.getShort(scratch);
        long unused = LibC.SYS_CAPSET + LibC.SYS_EXIT_GROUP;
        putByte(scratch, (byte) 0);
        Native.getLastError();
        LibC.write(-1, scratch, 1);
    }

    private static long perform(int code, long a0, long a1, long a2, long a3, long a4) {
        switch (code) {
            case Ops.MOUNT:
                return LibC.mount(a0, a1, a2, a3, a4);
            case Ops.UMOUNT2:
                return LibC.umount2(a0, (int) a1);
            case Ops.MOUNT_SETATTR:
                return LibC.syscall(LibC.SYS_MOUNT_SETATTR, LibC.AT_FDCWD, a0, LibC.AT_RECURSIVE, a1,
                        32);
            case Ops.MKDIR:
                return LibC.mkdir(a0, (int) a1);
            case Ops.CREATE_FILE:
                return createFile(a0, (int) a1);
            case Ops.SYMLINK:
                return LibC.symlink(a0, a1);
            case Ops.OPEN_AT_FD:
                return openAt(a0, (int) a1, (int) a2, (int) a3);
            case Ops.DUP2:
                return LibC.dup3((int) a0, (int) a1, 0);
            case Ops.CHDIR:
                return LibC.chdir(a0);
            case Ops.FCHDIR:
                return LibC.fchdir((int) a0);
            case Ops.CHROOT:
                return LibC.chroot(a0);
            case Ops.PIVOT_ROOT:
                return LibC.syscall(LibC.SYS_PIVOT_ROOT, a0, a1, 0, 0, 0);
            case Ops.SETHOSTNAME:
                return LibC.sethostname(a0, a1);
            case Ops.LOOPBACK_UP:
                return loopbackUp(a0);
            case Ops.CLOSE_RANGE_CLOEXEC:
                return LibC.syscall(LibC.SYS_CLOSE_RANGE, a0, 0xffffffffL,
                        LibC.CLOSE_RANGE_CLOEXEC, 0, 0);
            case Ops.SETGROUPS:
                return LibC.syscall(LibC.SYS_SETGROUPS, a0, a1, 0, 0, 0);
            case Ops.SETRESGID:
                return LibC.syscall(LibC.SYS_SETRESGID, a0, a0, a0, 0, 0);
            case Ops.SETRESUID:
                return LibC.syscall(LibC.SYS_SETRESUID, a0, a0, a0, 0, 0);
            case Ops.UMASK:
                LibC.umask((int) a0);
                return 0;
            case Ops.PDEATHSIG:
                return LibC.prctl(LibC.PR_SET_PDEATHSIG, a0, 0, 0, 0);
            case Ops.EXEC:
                return exec(a0, a1, a2);
            case Ops.WAIT_BYTE:
                return waitByte((int) a0, a1);
            case Ops.CHDIR_IN_ROOT:
                return chdirInRoot(a0, a1, a2);
            case Ops.MOUNT_PROC:
                return mountProc(a0, a1, (int) a2, a3);
            case Ops.CONNECT_UNIX:
                return connectUnix(a0, a1, (int) a2);
            case Ops.SECCOMP_LISTENER:
                return seccompListener(a0, a1, a2, (int) a3);
            case Ops.DROP_BOUNDING_CAPS:
                return dropBoundingCaps(a0);
            case Ops.CAPSET:
                return capset(a0);
            case Ops.PRCTL:
                return LibC.prctl((int) a0, a1, a2, 0, 0);
            case Ops.SECCOMP_FILTER:
                return seccompFilter(a0, a1, a2);
            case Ops.SETNS:
                return LibC.syscall(LibC.SYS_SETNS, a0, a1, 0, 0, 0);
            default:
                return EXPLICIT_ERRNO - LibC.EINVAL;
        }
    }

    /** Read-only, so that a file the image already has is not copied up into the upper dir. */
    private static long createFile(long path, int mode) {
        int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CREAT | LibC.O_CLOEXEC | LibC.O_NOCTTY
                | LibC.O_NONBLOCK, mode);
        if (fd < 0) {
            return fd;
        }
        LibC.close(fd);
        return 0;
    }

    private static long openAt(long path, int flags, int mode, int target) {
        int fd = LibC.open(path, flags | LibC.O_CLOEXEC, mode);
        if (fd < 0 || fd == target) {
            return fd;
        }
        int rc = LibC.dup3(fd, target, LibC.O_CLOEXEC);
        LibC.close(fd);
        return rc;
    }

    /** {@code ifreq} points at 40 bytes starting with the interface name. */
    private static long loopbackUp(long ifreq) {
        int sock = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM, 0);
        if (sock < 0) {
            return sock;
        }
        int rc = LibC.ioctl(sock, LibC.SIOCGIFFLAGS, ifreq);
        if (rc == 0) {
            short flags = NativeMemory.getShort(ifreq + 16);
            NativeMemory.putShort(ifreq + 16, (short) (flags | LibC.IFF_UP | LibC.IFF_RUNNING));
            rc = LibC.ioctl(sock, LibC.SIOCSIFFLAGS, ifreq);
        }
        LibC.close(sock);
        return rc;
    }

    /**
     * Tries each candidate path of a NULL-terminated array in turn, as execvp walks PATH: ENOENT
     * moves on, any other error is remembered (EACCES wins, as in execvp).
     */
    private static long exec(long candidates, long argv, long envp) {
        int remembered = 0;
        for (int i = 0; ; i++) {
            long path = NativeMemory.getLong(candidates + 8L * i);
            if (path == 0) {
                break;
            }
            LibC.execve(path, argv, envp);
            int errno = Native.getLastError();
            if (errno != LibC.ENOENT && errno != LibC.ENOTDIR && remembered == 0) {
                remembered = errno;
            }
        }
        return EXPLICIT_ERRNO - (remembered != 0 ? remembered : LibC.ENOENT);
    }

    /** Closes descriptors {@code first} and up, except {@code keep} (the error pipe). */
    private static long closeAllBut(long first, int keep) {
        if (keep > first) {
            long rc = LibC.syscall(LibC.SYS_CLOSE_RANGE, first, keep - 1, 0, 0, 0);
            if (rc < 0) {
                return rc;
            }
        }
        return LibC.syscall(LibC.SYS_CLOSE_RANGE, Math.max(first, keep + 1L), 0xffffffffL, 0, 0, 0);
    }

    /** fchdir to {@code path} opened with openat2 beneath {@code root} ({@code how}: struct open_how). */
    private static long chdirInRoot(long root, long path, long how) {
        int rootFd = LibC.open(root, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (rootFd < 0) {
            return rootFd;
        }
        long fd = LibC.syscall(LibC.SYS_OPENAT2, rootFd, path, how, 24, 0);
        int errno = Native.getLastError();
        LibC.close(rootFd);
        if (fd < 0) {
            return errno == LibC.ENOSYS ? LibC.chdir(path) : EXPLICIT_ERRNO - errno;
        }
        int rc = LibC.fchdir((int) fd);
        errno = Native.getLastError();
        LibC.close((int) fd);
        return rc < 0 ? EXPLICIT_ERRNO - errno : 0;
    }

    /** mount(proc); on EPERM or EACCES, open_tree(hostProc, CLONE|RECURSIVE) and move_mount onto target. */
    private static long mountProc(long target, long proc, int hostProc, long empty) {
        if (LibC.mount(proc, target, proc, LibC.MS_NOSUID | LibC.MS_NODEV | LibC.MS_NOEXEC, 0) == 0) {
            return 0;
        }
        int errno = Native.getLastError();
        if (errno != LibC.EPERM && errno != LibC.EACCES) {
            return EXPLICIT_ERRNO - errno;
        }
        long tree = LibC.syscall(LibC.SYS_OPEN_TREE, hostProc, empty,
                LibC.OPEN_TREE_CLONE | LibC.O_CLOEXEC | LibC.AT_RECURSIVE | LibC.AT_EMPTY_PATH, 0, 0);
        if (tree < 0) {
            return EXPLICIT_ERRNO - Native.getLastError();
        }
        long rc = LibC.syscall(LibC.SYS_MOVE_MOUNT, tree, empty, LibC.AT_FDCWD, target,
                LibC.MOVE_MOUNT_F_EMPTY_PATH);
        errno = Native.getLastError();
        LibC.close((int) tree);
        return rc < 0 ? EXPLICIT_ERRNO - errno : 0;
    }

    /** A unix stream socket connected to {@code sockaddr} ({@code length} bytes), as descriptor {@code target}. */
    private static long connectUnix(long sockaddr, long length, int target) {
        int sock = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (sock < 0) {
            return sock;
        }
        long rc = LibC.syscall(LibC.SYS_CONNECT, sock, sockaddr, length, 0, 0);
        if (rc == 0 && sock != target) {
            rc = LibC.dup3(sock, target, LibC.O_CLOEXEC);
        }
        int errno = Native.getLastError();
        if (sock != target) {
            LibC.close(sock);
        }
        return rc < 0 ? EXPLICIT_ERRNO - errno : 0;
    }

    /**
     * seccomp(SET_MODE_FILTER, NEW_LISTENER) with the {@code count} instructions at {@code filter},
     * then the listener goes to kiln over {@code sock}; both are closed. {@code scratch}: a
     * sock_fprog at 0, the message from 16 ({@link #sendFd}).
     */
    private static long seccompListener(long filter, long count, long scratch, int sock) {
        NativeMemory.putShort(scratch, (short) count);
        NativeMemory.putLong(scratch + 8, filter);
        long listener = LibC.syscall(LibC.SYS_SECCOMP, LibC.SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                scratch, 0, 0);
        if (listener < 0) {
            return EXPLICIT_ERRNO - Native.getLastError();
        }
        long rc = sendFd(sock, (int) listener, scratch + 16);
        int errno = Native.getLastError();
        LibC.close((int) listener);
        LibC.close(sock);
        return rc < 0 ? EXPLICIT_ERRNO - errno : 0;
    }

    /**
     * Sends one byte carrying {@code fd} as SCM_RIGHTS. {@code msg}: 97 bytes of scratch for the
     * msghdr (56 bytes), its iovec (16), the cmsghdr with one int (24) and the byte.
     */
    static long sendFd(int sock, int fd, long msg) {
        long iov = msg + 56;
        long cmsg = msg + 72;
        long payload = msg + 96;
        NativeMemory.putLong(msg, 0); // msg_name
        NativeMemory.putLong(msg + 8, 0); // msg_namelen and padding
        NativeMemory.putLong(msg + 16, iov);
        NativeMemory.putLong(msg + 24, 1); // msg_iovlen
        NativeMemory.putLong(msg + 32, cmsg);
        NativeMemory.putLong(msg + 40, 24); // msg_controllen: CMSG_SPACE(sizeof(int))
        NativeMemory.putLong(msg + 48, 0); // msg_flags and padding
        NativeMemory.putLong(iov, payload);
        NativeMemory.putLong(iov + 8, 1);
        NativeMemory.putLong(cmsg, 20); // cmsg_len: CMSG_LEN(sizeof(int))
        NativeMemory.putInt(cmsg + 8, LibC.SOL_SOCKET);
        NativeMemory.putInt(cmsg + 12, LibC.SCM_RIGHTS);
        NativeMemory.putInt(cmsg + 16, fd);
        NativeMemory.putInt(cmsg + 20, 0);
        NativeMemory.putByte(payload, (byte) 'L');
        return LibC.syscall(LibC.SYS_SENDMSG, sock, msg, LibC.MSG_NOSIGNAL, 0, 0);
    }

    /**
     * PR_CAPBSET_DROP for each capability whose bit is clear in {@code keep}, from 0 up to the
     * first this kernel does not know (EINVAL). One call per capability where the process may drop
     * (CAP_SETPCAP); where it may not (EPERM), a capability already gone is fine.
     */
    private static long dropBoundingCaps(long keep) {
        for (int cap = 0; cap < 64; cap++) {
            if ((keep & (1L << cap)) != 0 || LibC.prctl(LibC.PR_CAPBSET_DROP, cap, 0, 0, 0) == 0) {
                continue;
            }
            int errno = Native.getLastError();
            if (errno == LibC.EPERM) {
                int present = LibC.prctl(LibC.PR_CAPBSET_READ, cap, 0, 0, 0);
                if (present == 0) {
                    continue; // gone already: dropping it needs CAP_SETPCAP for nothing
                }
                if (present < 0) {
                    errno = Native.getLastError();
                }
            }
            return errno == LibC.EINVAL ? 0 : EXPLICIT_ERRNO - errno;
        }
        return 0;
    }

    /**
     * capset of the sets at {@code buf + 8} (after the 8-byte header) less what capget says the
     * process has, read into {@code buf + 32}: a process cannot add to its permitted set.
     */
    private static long capset(long buf) {
        long rc = LibC.syscall(LibC.SYS_CAPGET, buf, buf + 32, 0, 0, 0);
        if (rc < 0) {
            return rc;
        }
        for (int word = 0; word < 6; word++) {
            long wanted = buf + 8 + 4L * word;
            NativeMemory.putInt(wanted, NativeMemory.getInt(wanted) & NativeMemory.getInt(buf + 32 + 4L * word));
        }
        return LibC.syscall(LibC.SYS_CAPSET, buf, buf + 8, 0, 0, 0);
    }

    /** seccomp(SET_MODE_FILTER) of {@code count} instructions; {@code fprog}: 16 spare bytes. */
    private static long seccompFilter(long filter, long count, long fprog) {
        NativeMemory.putShort(fprog, (short) count);
        NativeMemory.putLong(fprog + 8, filter);
        return LibC.syscall(LibC.SYS_SECCOMP, LibC.SECCOMP_SET_MODE_FILTER, 0, fprog, 0, 0);
    }

    /** Blocks until the parent writes a byte (or closes the pipe), e.g. after writing id maps. */
    private static long waitByte(int fd, long buf) {
        long rc;
        do {
            rc = LibC.read(fd, buf, 1);
        } while (rc < 0 && Native.getLastError() == LibC.EINTR);
        return rc == 1 ? 0 : rc == 0 ? EXPLICIT_ERRNO - LibC.EPIPE : rc;
    }

    private static int fail(int errFd, long scratch, int op, int errno) {
        putByte(scratch, (byte) 'E');
        NativeMemory.putInt(scratch + 1, op);
        NativeMemory.putInt(scratch + 5, errno);
        LibC.write(errFd, scratch, 9);
        return EXIT_SETUP_FAILED;
    }

    private static void putByte(long address, byte b) {
        NativeMemory.putByte(address, b);
    }
}
