package dev.kiln.runtime.linux;

import dev.kiln.oci.files.FileNames;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a cloned child does before {@code execve}, as a list of system calls with their arguments.
 * The runtime builds it in the main JVM; the spawner turns it into native memory before the clone
 * and the child walks it. Each op carries a description ("mount overlay on /…/merged") so a failure
 * reported as (op index, errno) reads as a sentence.
 */
public final class ChildProgram {
    /** Mount flags, as mount(2) takes them. */
    public static final long MS_RDONLY = LibC.MS_RDONLY;
    public static final long MS_NOSUID = LibC.MS_NOSUID;
    public static final long MS_NODEV = LibC.MS_NODEV;
    public static final long MS_NOEXEC = LibC.MS_NOEXEC;
    public static final long MS_BIND = LibC.MS_BIND;
    public static final long MS_REC = LibC.MS_REC;
    public static final long MS_PRIVATE = LibC.MS_PRIVATE;

    /** Mount attributes, as mount_setattr(2) takes them. */
    public static final long MOUNT_ATTR_RDONLY = LibC.MOUNT_ATTR_RDONLY;
    public static final long MOUNT_ATTR_NOSUID = LibC.MOUNT_ATTR_NOSUID;
    public static final long MOUNT_ATTR_NODEV = LibC.MOUNT_ATTR_NODEV;

    /** open(2) flags for {@link #openAt}. */
    public static final int O_RDONLY = LibC.O_RDONLY;
    public static final int O_WRONLY = LibC.O_WRONLY;
    public static final int O_RDWR = LibC.O_RDWR;
    public static final int O_CREAT = LibC.O_CREAT;
    public static final int O_TRUNC = LibC.O_TRUNC;
    public static final int O_APPEND = LibC.O_APPEND;
    public static final int O_PATH = LibC.O_PATH;
    public static final int O_DIRECTORY = LibC.O_DIRECTORY;

    record Op(int code, int flags, Object[] args, String what) {}

    private final List<Op> ops = new ArrayList<>();

    private ChildProgram add(int code, int flags, String what, Object... args) {
        ops.add(new Op(code, flags, args, what));
        return this;
    }

    public ChildProgram mount(String source, String target, String fstype, long flags, String data,
            String what) {
        return add(Ops.MOUNT, 0, what, source, target, fstype, flags, data);
    }

    public ChildProgram mountBestEffort(String source, String target, String fstype, long flags,
            String data, String what) {
        return add(Ops.MOUNT, Ops.FLAG_BEST_EFFORT, what, source, target, fstype, flags, data);
    }

    /**
     * Like {@link #mount}, for a target this kernel may lack (a {@code /proc} file): a missing
     * target is skipped, any other failure fails.
     */
    public ChildProgram mountIfPresent(String source, String target, String fstype, long flags,
            String data, String what) {
        return add(Ops.MOUNT, Ops.FLAG_IGNORE_ENOENT, what, source, target, fstype, flags, data);
    }

    /**
     * Sets {@code attributes} ({@code MOUNT_ATTR_*}) on the mount at {@code target} and every mount
     * under it (mount_setattr, recursive).
     */
    public ChildProgram mountAttributes(String target, long attributes, String what) {
        return add(Ops.MOUNT_SETATTR, 0, what, target, mountAttr(attributes));
    }

    /** {@link #mountAttributes} for a target this kernel may lack: a missing one is skipped. */
    public ChildProgram mountAttributesIfPresent(String target, long attributes, String what) {
        return add(Ops.MOUNT_SETATTR, Ops.FLAG_IGNORE_ENOENT, what, target, mountAttr(attributes));
    }

    /** struct mount_attr: attr_set, attr_clr, propagation, userns_fd. */
    private static byte[] mountAttr(long set) {
        return ByteBuffer.allocate(32).order(ByteOrder.nativeOrder()).putLong(set).array();
    }

    public ChildProgram detach(String target) {
        return add(Ops.UMOUNT2, 0, "unmount " + target, target, (long) LibC.MNT_DETACH);
    }

    /** mkdir, succeeding when the path exists already. */
    public ChildProgram mkdir(String path, int mode) {
        return add(Ops.MKDIR, Ops.FLAG_IGNORE_EEXIST, "create directory " + path, path, (long) mode);
    }

    /** mkdir of every component of an absolute path, like {@code mkdir -p}. */
    public ChildProgram mkdirs(String path, int mode) {
        StringBuilder sb = new StringBuilder();
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            sb.append('/').append(part);
            mkdir(sb.toString(), mode);
        }
        return this;
    }

    /** Creates an empty file if missing (a bind-mount target). */
    public ChildProgram createFile(String path, int mode) {
        return add(Ops.CREATE_FILE, 0, "create file " + path, path, (long) mode);
    }

    public ChildProgram symlink(String target, String link) {
        return add(Ops.SYMLINK, Ops.FLAG_IGNORE_EEXIST, "create symlink " + link, target, link);
    }

    /** open(2) of {@code path}, then moves the descriptor to number {@code fd} (CLOEXEC). */
    public ChildProgram openAt(String path, int flags, int mode, int fd) {
        return add(Ops.OPEN_AT_FD, 0, "open " + path, path, (long) flags, (long) mode, (long) fd);
    }

    /** dup2: {@code to} becomes a copy of {@code from}, inherited across exec. */
    public ChildProgram dup2(int from, int to) {
        return add(Ops.DUP2, 0, "set up file descriptor " + to, (long) from, (long) to);
    }

    public ChildProgram chdir(String path) {
        return add(Ops.CHDIR, 0, "change directory to " + path, path);
    }

    public ChildProgram fchdir(int fd, String what) {
        return add(Ops.FCHDIR, 0, what, (long) fd);
    }

    public ChildProgram chroot(String path) {
        return add(Ops.CHROOT, 0, "chroot to " + path, path);
    }

    public ChildProgram pivotRoot(String newRoot, String putOld) {
        return add(Ops.PIVOT_ROOT, 0, "pivot_root into the container's root", newRoot, putOld);
    }

    /**
     * Best effort: a container's seccomp profile may allow sethostname only with CAP_SYS_ADMIN in
     * the initial namespace (Docker's and podman's do), which a root pod lacks even in kiln's own
     * user namespace; the container then keeps the outer hostname.
     */
    public ChildProgram sethostname(String name) {
        return add(Ops.SETHOSTNAME, Ops.FLAG_BEST_EFFORT, "set hostname " + name, name,
                (long) name.getBytes(StandardCharsets.UTF_8).length);
    }

    public ChildProgram loopbackUp() {
        byte[] ifreq = new byte[40];
        ifreq[0] = 'l';
        ifreq[1] = 'o';
        return add(Ops.LOOPBACK_UP, 0, "bring up the loopback interface", ifreq);
    }

    /** Marks every descriptor from {@code first} on close-on-exec. */
    public ChildProgram closeFromOnExec(int first) {
        return add(Ops.CLOSE_RANGE_CLOEXEC, 0, "mark inherited file descriptors close-on-exec",
                (long) first);
    }

    /**
     * Closes every descriptor from {@code first} on, except the child's error pipe: nothing the
     * runtime opened outside the container (the host root, mount sources) stays reachable, not
     * even through {@code /proc/self/fd}.
     */
    public ChildProgram closeOtherFds(int first) {
        return add(Ops.CLOSE_OTHER_FDS, 0, "close the runtime's file descriptors", (long) first);
    }

    /**
     * chdir to {@code path} resolved inside the current root only: {@code openat2} with
     * {@code RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS}, so neither {@code ..}, absolute symlinks nor
     * {@code /proc} magic links lead out (kernels before 5.6: plain chdir).
     */
    public ChildProgram chdirInRoot(String path) {
        byte[] how = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder())
                .putLong(LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC).putLong(0)
                .putLong(LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS).array();
        return add(Ops.CHDIR_IN_ROOT, 0, "change directory to " + path, "/", path, how);
    }

    /**
     * A new proc on {@code target}; where the kernel refuses one (EPERM: in a container whose own
     * /proc has masked paths, a user namespace may not mount a fresh proc), a recursive bind of
     * the proc open on {@code hostProcFd}, masks included, as rootless podman and bwrap do. That
     * proc shows the processes of the outer pid namespace.
     */
    public ChildProgram mountProc(String target, int hostProcFd) {
        return add(Ops.MOUNT_PROC, 0, "mount " + target + " (a new proc, else a bind of kiln's own)", target,
                "proc", (long) hostProcFd, "");
    }

    public ChildProgram setgroups(List<Integer> groups) {
        ByteBuffer b = ByteBuffer.allocate(4 * Math.max(1, groups.size())).order(ByteOrder.nativeOrder());
        groups.forEach(b::putInt);
        return add(Ops.SETGROUPS, 0, "set supplementary groups " + groups, (long) groups.size(),
                b.array());
    }

    public ChildProgram setgid(int gid) {
        return add(Ops.SETRESGID, 0, "switch to group id " + gid, (long) gid);
    }

    public ChildProgram setuid(int uid) {
        return add(Ops.SETRESUID, 0, "switch to user id " + uid, (long) uid);
    }

    public ChildProgram umask(int mask) {
        return add(Ops.UMASK, 0, "set umask", (long) mask);
    }

    /**
     * Drops every capability not in {@code keep} (bit N = capability N) from the bounding set, up
     * to the highest this kernel knows; needs CAP_SETPCAP, so it comes before a change of user.
     */
    public ChildProgram dropBoundingCapabilities(long keep) {
        return add(Ops.DROP_BOUNDING_CAPS, 0, "drop capabilities from the bounding set", keep);
    }

    /**
     * capset(2): the effective, permitted and inheritable sets (bit N = capability N), each less
     * what the process does not have (a container kiln runs in may have fewer).
     */
    public ChildProgram setCapabilities(long effective, long permitted, long inheritable) {
        // header, the wanted sets, room for capget's answer
        ByteBuffer b = ByteBuffer.allocate(56).order(ByteOrder.nativeOrder());
        b.putInt(LibC.CAPABILITY_VERSION_3).putInt(0);
        b.putInt((int) effective).putInt((int) permitted).putInt((int) inheritable);
        b.putInt((int) (effective >>> 32)).putInt((int) (permitted >>> 32))
                .putInt((int) (inheritable >>> 32));
        return add(Ops.CAPSET, 0, "set the capabilities", b.array());
    }

    /** Empties the ambient capability set. */
    public ChildProgram clearAmbientCapabilities() {
        return add(Ops.PRCTL, 0, "clear the ambient capabilities", (long) LibC.PR_CAP_AMBIENT,
                (long) LibC.PR_CAP_AMBIENT_CLEAR_ALL);
    }

    /** no_new_privs: execve never grants privileges again (setuid bits, file capabilities). */
    public ChildProgram noNewPrivileges() {
        return add(Ops.PRCTL, 0, "set no_new_privs", (long) LibC.PR_SET_NO_NEW_PRIVS, 1L);
    }

    /**
     * Installs a seccomp filter: {@code program} is classic BPF, 8 bytes per instruction, in
     * native byte order. Stacks on any filter installed before.
     */
    public ChildProgram seccompFilter(byte[] program, String what) {
        if (program.length == 0 || program.length % 8 != 0) {
            throw new IllegalArgumentException("a BPF program is whole 8-byte instructions");
        }
        return add(Ops.SECCOMP_FILTER, 0, what, program, (long) (program.length / 8), new byte[16]);
    }

    /** The child gets {@code signal} when the spawner dies. */
    public ChildProgram dieWithParent(int signal) {
        return add(Ops.PDEATHSIG, 0, "set the parent-death signal", (long) signal);
    }

    /**
     * execve of the first candidate path that exists. {@code candidates} are absolute paths,
     * tried in order as execvp tries PATH.
     */
    public ChildProgram exec(List<String> candidates, List<String> argv, List<String> env) {
        return add(Ops.EXEC, 0, "execute " + argv.get(0), candidates, argv, env);
    }

    /**
     * Connects a unix stream socket to {@code socketPath}, a host path resolved now (before any
     * chroot), and moves it to descriptor {@code fd} (close-on-exec).
     */
    public ChildProgram connectUnix(String socketPath, int fd) {
        byte[] sockaddr = ChownListener.sockaddr(socketPath);
        return add(Ops.CONNECT_UNIX, 0, "connect to kiln's ownership recorder at " + socketPath, sockaddr,
                (long) sockaddr.length, (long) fd);
    }

    /**
     * Installs {@link ChownListener#filter()} with a new listener (as root of kiln's user namespace,
     * so without {@code no_new_privs}), sends the listener over the socket at {@code socketFd}
     * ({@code SCM_RIGHTS}) and closes both: from here on the child's chown calls (and with
     * {@code identity} its getuid-like calls) wait for kiln.
     */
    public ChildProgram chownListener(int socketFd, boolean identity) {
        byte[] filter = ChownListener.filter(identity);
        return add(Ops.SECCOMP_LISTENER, 0, "install the seccomp filter that reports chown to kiln", filter,
                (long) (filter.length / ChownListener.INSTRUCTION_BYTES), new byte[ChildExecutor.LISTENER_SCRATCH],
                (long) socketFd);
    }

    /**
     * Enters the user namespace open on {@code fd} ({@code setns(fd, CLONE_NEWUSER)}): the child
     * keeps its other namespaces and gets a full capability set in the new one.
     */
    public ChildProgram enterUserNamespace(int fd) {
        return add(Ops.SETNS, 0, "enter the container's user namespace", (long) fd, LibC.CLONE_NEWUSER);
    }

    /** Blocks until the parent releases the child on fd {@code fd}. */
    public ChildProgram waitForParent(int fd) {
        return add(Ops.WAIT_BYTE, 0, "wait for the parent", (long) fd, new byte[8]);
    }

    public int size() {
        return ops.size();
    }

    /** What op {@code index} does, for error messages. */
    public String describe(int index) {
        return index >= 0 && index < ops.size() ? ops.get(index).what() : "clone";
    }

    /** True when op {@code index} is the final execve. */
    public boolean isExec(int index) {
        return index >= 0 && index < ops.size() && ops.get(index).code() == Ops.EXEC;
    }

    /** True when op {@code index} mounts a filesystem of type {@code fstype}. */
    public boolean isMountOf(int index, String fstype) {
        return index >= 0 && index < ops.size() && ops.get(index).code() == Ops.MOUNT
                && fstype.equals(ops.get(index).args()[2]);
    }

    List<Op> ops() {
        return ops;
    }

    void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(ops.size());
        for (Op op : ops) {
            out.writeInt(op.code());
            out.writeInt(op.flags());
            out.writeInt(op.args().length);
            for (Object arg : op.args()) {
                writeArg(out, arg);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void writeArg(DataOutputStream out, Object arg) throws IOException {
        if (arg == null) {
            out.writeByte(Ops.ARG_NONE);
        } else if (arg instanceof String s) {
            out.writeByte(Ops.ARG_STRING);
            writeBytes(out, FileNames.encode(s)); // paths and argv: a name's bytes, UTF-8 for any other text
        } else if (arg instanceof Long l) {
            out.writeByte(Ops.ARG_LONG);
            out.writeLong(l);
        } else if (arg instanceof List<?> list) {
            out.writeByte(Ops.ARG_STRINGS);
            out.writeInt(list.size());
            for (String s : (List<String>) list) {
                writeBytes(out, FileNames.encode(s));
            }
        } else if (arg instanceof byte[] b) {
            out.writeByte(Ops.ARG_BYTES);
            writeBytes(out, b);
        } else {
            throw new IllegalArgumentException("unsupported argument " + arg.getClass());
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }
}
