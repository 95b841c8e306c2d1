package dev.kiln.runtime;

import dev.kiln.oci.files.FileNames;
import dev.kiln.runtime.linux.ChildProgram;
import dev.kiln.runtime.linux.Syscalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an {@link ExecSpec} into the system calls the cloned child makes before exec: the root
 * filesystem, {@code /proc}, a minimal {@code /dev}, the generated {@code /etc} files and extra
 * mounts, all created and mounted while chrooted in the new root (so an image's symlinks cannot
 * point them at host paths), then {@code pivot_root}, stdio, identity and {@code execve}.
 */
final class ContainerSetup {
    static final int FD_HOST_ROOT = 999;
    static final int FD_USERNS = 997;
    static final int FD_CHOWN_SOCKET = 998;
    static final int FD_STDIO = 990;
    static final int FD_SOURCES = 1000;
    static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    private final ChildProgram p = new ChildProgram();
    private final List<String> sources = new ArrayList<>();

    /** Paths of the host side the child needs; {@link ExecDir} prepared them. */
    record Prepared(String root, String overlayOptions, String overlayCwd, String hosts,
            String hostname, String resolvConf, StdioFile[] stdio) {}

    /** A host file the child opens as stdin, stdout or stderr, with open(2) flags. */
    record StdioFile(String path, int flags) {}

    /**
     * {@code recorder}: a {@link ChownRecorder} listening for this container, or null; the child
     * connects to it before leaving the host's root and sends it a seccomp listener right before its
     * final steps. When the recorder fakes the user's identity, the process runs as root.
     */
    static ChildProgram namespaced(ExecSpec spec, Prepared prep, IdMapping mapping,
            Confinement confinement, ChownRecorder recorder, ContainerUserns userns) {
        String chownSocket = recorder == null ? null : recorder.socket();
        ContainerSetup s = new ContainerSetup();
        s.p.dieWithParent(Syscalls.SIGKILL);
        s.p.mount(null, "/", null, ChildProgram.MS_REC | ChildProgram.MS_PRIVATE, null,
                "make the mount namespace private");
        if (prep.overlayOptions() != null) {
            if (prep.overlayCwd() != null) {
                s.p.chdir(prep.overlayCwd());
            }
            s.p.mount("overlay", prep.root(), "overlay", ChildProgram.MS_NODEV, prep.overlayOptions(),
                    "mount overlay on " + prep.root());
        } else {
            s.p.mount(prep.root(), prep.root(), null, ChildProgram.MS_BIND | ChildProgram.MS_REC,
                    null, "bind-mount the root directory " + prep.root());
            s.p.mountAttributes(prep.root(), ChildProgram.MOUNT_ATTR_NODEV,
                    "make the root directory nodev");
        }
        s.openStdio(prep);
        int devFd = s.source("/dev/null");
        for (int i = 1; i < DEVICES.size(); i++) {
            s.source("/dev/" + DEVICES.get(i));
        }
        int procFd = s.source("/proc");
        int hostsFd = s.source(prep.hosts());
        s.source(prep.hostname());
        s.source(prep.resolvConf());
        int mountFd = FD_SOURCES + s.sources.size();
        for (Mount m : spec.mounts()) {
            if (m instanceof Mount.Bind b) {
                s.source(FileNames.text(b.source()));
            }
        }
        if (chownSocket != null) {
            s.p.connectUnix(chownSocket, FD_CHOWN_SOCKET);
        }
        s.openUserns(userns);
        s.p.openAt("/", ChildProgram.O_PATH | ChildProgram.O_DIRECTORY, 0, FD_HOST_ROOT);
        s.p.chdir(prep.root());
        s.p.chroot(".");

        s.p.mkdir("/proc", 0555);
        s.p.mountProc("/proc", procFd);
        confinement.maskProc(s.p, fdPath(devFd));
        s.p.mkdir("/dev", 0755);
        s.p.mount("tmpfs", "/dev", "tmpfs", ChildProgram.MS_NOSUID | ChildProgram.MS_NODEV,
                "mode=755,size=65536k",
                "mount a tmpfs on /dev");
        for (int i = 0; i < DEVICES.size(); i++) {
            String dev = "/dev/" + DEVICES.get(i);
            s.p.createFile(dev, 0666);
            s.p.mount(fdPath(devFd + i), dev, null, ChildProgram.MS_BIND, null,
                    "bind-mount " + dev + " from the host");
        }
        s.p.symlink("/proc/self/fd", "/dev/fd");
        s.p.symlink("/proc/self/fd/0", "/dev/stdin");
        s.p.symlink("/proc/self/fd/1", "/dev/stdout");
        s.p.symlink("/proc/self/fd/2", "/dev/stderr");
        s.p.mkdir("/dev/shm", 01777);
        s.p.mount("shm", "/dev/shm", "tmpfs",
                ChildProgram.MS_NOSUID | ChildProgram.MS_NODEV | ChildProgram.MS_NOEXEC,
                "mode=1777,size=65536k", "mount a tmpfs on /dev/shm");
        s.p.mkdir("/dev/pts", 0755);
        s.p.mountBestEffort("devpts", "/dev/pts", "devpts",
                ChildProgram.MS_NOSUID | ChildProgram.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620",
                "mount /dev/pts");
        s.p.symlink("pts/ptmx", "/dev/ptmx");
        s.p.mkdir("/etc", 0755);
        String[] etc = {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf"};
        for (int i = 0; i < etc.length; i++) {
            s.p.createFile(etc[i], 0644);
            s.p.mount(fdPath(hostsFd + i), etc[i], null, ChildProgram.MS_BIND, null,
                    "bind-mount " + etc[i]);
        }
        int next = mountFd;
        for (Mount m : spec.mounts()) {
            if (m instanceof Mount.Bind b) {
                if (Files.isDirectory(b.source())) {
                    s.p.mkdirs(b.target(), 0755);
                } else {
                    s.p.mkdirs(parent(b.target()), 0755);
                    s.p.createFile(b.target(), 0644);
                }
                s.p.mount(fdPath(next++), b.target(), null,
                        ChildProgram.MS_BIND | ChildProgram.MS_REC, null,
                        "bind-mount " + b.source() + " on " + b.target());
                // nodev: real root could otherwise mknod a disk in a writable bind and open it
                s.p.mountAttributes(b.target(), ChildProgram.MOUNT_ATTR_NODEV
                        | (b.readOnly() ? ChildProgram.MOUNT_ATTR_RDONLY : 0),
                        "make " + b.target() + (b.readOnly() ? " read-only and" : "") + " nodev");
            } else if (m instanceof Mount.Tmpfs t) {
                s.p.mkdirs(t.target(), 0755);
                s.p.mount("tmpfs", t.target(), "tmpfs",
                        ChildProgram.MS_NOSUID | ChildProgram.MS_NODEV, t.options(),
                        "mount a tmpfs on " + t.target());
            }
        }
        s.p.sethostname(spec.hostname());
        if (spec.network() == Network.NONE) {
            s.p.loopbackUp();
        }
        s.p.fchdir(FD_HOST_ROOT, "return to the host root");
        s.p.chroot(".");
        s.p.chdir(prep.root());
        s.p.pivotRoot(".", ".");
        s.p.detach(".");
        s.p.chdir("/");
        s.finish(recorder != null && recorder.fakesIdentity() ? spec.withUser(User.of(0, 0)) : spec, mapping,
                prep.stdio(), confinement, recorder, userns);
        return s.p;
    }

    static ChildProgram chrooted(ExecSpec spec, Prepared prep, IdMapping mapping,
            Confinement confinement, ContainerUserns userns) {
        ContainerSetup s = new ContainerSetup();
        s.p.dieWithParent(Syscalls.SIGKILL);
        s.openStdio(prep);
        s.openUserns(userns);
        s.p.chroot(prep.root());
        s.p.chdir("/");
        s.finish(spec, mapping, prep.stdio(), confinement, null, userns);
        return s.p;
    }

    /** Opens the containers' own user namespace, if they get one, while the host's /proc is reachable. */
    private void openUserns(ContainerUserns userns) {
        if (userns != null) {
            p.openAt(userns.path(), ChildProgram.O_RDONLY, 0, FD_USERNS);
        }
    }

    private void openStdio(Prepared prep) {
        for (int i = 0; i < 3; i++) {
            StdioFile f = prep.stdio()[i];
            if (f != null) {
                p.openAt(f.path(), f.flags(), 0644, FD_STDIO + i);
            }
        }
    }

    private void finish(ExecSpec spec, IdMapping mapping, StdioFile[] stdio,
            Confinement confinement, ChownRecorder recorder, ContainerUserns userns) {
        for (int i = 0; i < 3; i++) {
            if (stdio[i] != null) {
                p.dup2(FD_STDIO + i, i);
            }
        }
        if (userns != null) {
            // every mount is made: from here on no id of this process is host root's
            p.enterUserNamespace(FD_USERNS);
        }
        if (recorder != null) {
            p.chownListener(FD_CHOWN_SOCKET, recorder.fakesIdentity()); // nothing after it calls chown
        }
        p.closeOtherFds(3);
        p.mkdirs(spec.workDir(), 0755);
        p.chdirInRoot(spec.workDir());
        p.umask(022);
        confinement.dropCapabilities(p, spec);
        User u = spec.user();
        if (mapping.setgroupsAllowed()) {
            p.setgroups(u.groups());
        }
        p.setgid(u.gid());
        p.setuid(u.uid());
        confinement.lockDown(p);
        List<String> env = spec.effectiveEnv();
        p.exec(candidates(spec.argv().get(0), spec.envValue("PATH")), spec.argv(), env);
    }

    /** Where execve looks for {@code command}, as execvp walks PATH. */
    static List<String> candidates(String command, String path) {
        if (command.contains("/")) {
            return List.of(command);
        }
        List<String> out = new ArrayList<>();
        for (String dir : (path == null ? ExecSpec.DEFAULT_PATH : path).split(":")) {
            if (!dir.isEmpty()) {
                out.add(dir.endsWith("/") ? dir + command : dir + "/" + command);
            }
        }
        return out;
    }

    private int source(String hostPath) {
        sources.add(hostPath);
        int fd = FD_SOURCES + sources.size() - 1;
        p.openAt(hostPath, ChildProgram.O_PATH, 0, fd);
        return fd;
    }

    private static String fdPath(int fd) {
        return "/proc/self/fd/" + fd;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
