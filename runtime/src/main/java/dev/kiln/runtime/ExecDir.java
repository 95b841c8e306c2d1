package dev.kiln.runtime;

import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layer.OverlayMarkers;
import dev.kiln.runtime.ContainerSetup.StdioFile;
import dev.kiln.runtime.linux.ChildProgram;
import dev.kiln.runtime.linux.Syscalls;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The host side of one execution, in its own scratch directory: the generated {@code /etc/hosts},
 * {@code /etc/hostname} and {@code /etc/resolv.conf}, the overlay mount point and options, a
 * private root copy when overlay is unavailable, and FIFOs for piped stdio. FIFOs are opened
 * read-write by kiln until the child has started, so neither side blocks in open(2).
 */
final class ExecDir {
    private static final int MAX_MOUNT_OPTIONS = 4000;

    private final Path dir;
    private final List<Closeable> holders = new ArrayList<>();
    private final Closeable[] streams = new Closeable[3];
    private ContainerSetup.Prepared setup;
    private RootChanges changes = RootChanges.IN_PLACE;
    /** The private root copy (beside the upper dir, on its file system) and its state at start. */
    private Path copy;
    private TreeDiff baseline;
    private Path upper;

    private ExecDir(Path dir) {
        this.dir = dir;
    }

    static ExecDir prepare(Path dir, ExecSpec spec, boolean copyRoot) throws IOException {
        ExecDir d = new ExecDir(dir);
        try {
            d.setup = d.build(spec, copyRoot);
            return d;
        } catch (IOException | RuntimeException e) {
            d.abandon();
            throw e;
        }
    }

    private ContainerSetup.Prepared build(ExecSpec spec, boolean copyRoot) throws IOException {
        String root;
        String options = null;
        String cwd = null;
        if (spec.rootfs() instanceof RootFs.Overlay o) {
            Files.createDirectories(o.upperDir());
            boolean volatileMount = !copyRoot && o.volatileUpper() && overlayHasVolatile();
            if (volatileMount) {
                FileTrees.delete(o.workDir()); // a volatile mount's mark there refuses the next one
            }
            Files.createDirectories(o.workDir());
            if (copyRoot) {
                upper = o.upperDir();
                copy = upper.resolveSibling(upper.getFileName() + ".rootfs");
                FileTrees.delete(copy);
                List<Path> layers = new ArrayList<>(o.lowerDirs());
                layers.add(upper);
                OverlayFormat.flatten(layers, copy);
                baseline = TreeDiff.record(copy);
                changes = RootChanges.TREE_DIFF;
                root = FileNames.text(copy);
            } else {
                changes = volatileMount ? RootChanges.VOLATILE_OVERLAY : RootChanges.OVERLAY;
                Path merged = Files.createDirectory(dir.resolve("merged"));
                root = FileNames.text(merged);
                List<Path> lowers = distinctNonEmpty(o.lowerDirs());
                if (lowers.isEmpty()) {
                    lowers.add(Files.createDirectory(dir.resolve("empty")));
                }
                options = overlayOptions(lowers, o.upperDir(), o.workDir(), volatileMount);
                if (options.length() > MAX_MOUNT_OPTIONS) {
                    cwd = FileNames.text(dir);
                    options = overlayOptions(shortLinks(lowers), o.upperDir(), o.workDir(), volatileMount);
                    if (options.length() > MAX_MOUNT_OPTIONS) {
                        throw new SandboxException("too many layers for one overlay mount ("
                                + lowers.size() + "; the mount options exceed one page)",
                                "squash the base image or use fewer RUN/COPY steps");
                    }
                }
            }
        } else {
            root = FileNames.text(((RootFs.Directory) spec.rootfs()).dir().toAbsolutePath());
        }
        String hostname = spec.hostname();
        Path hostnameFile = Files.writeString(dir.resolve("hostname"), hostname + "\n");
        Path hosts = Files.writeString(dir.resolve("hosts"), hosts(spec.network(), hostname));
        Path resolv = Files.writeString(dir.resolve("resolv.conf"), resolvConf());
        StdioFile[] stdio = {
            stdio(spec.stdin(), 0), stdio(spec.stdout(), 1), stdio(spec.stderr(), 2),
        };
        return new ContainerSetup.Prepared(root, options, cwd, FileNames.text(hosts),
                FileNames.text(hostnameFile), FileNames.text(resolv), stdio);
    }

    /**
     * The lower dirs overlay is given: each directory once, at its topmost place (a layer stacked
     * twice, as identical empty layers are, makes overlay fail with ELOOP; the lower copy adds
     * nothing the upper one does not show), and no empty directory (it adds nothing either).
     */
    private static List<Path> distinctNonEmpty(List<Path> lowersBottomToTop) throws IOException {
        List<Path> topDown = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (int i = lowersBottomToTop.size() - 1; i >= 0; i--) {
            Path p = lowersBottomToTop.get(i).toAbsolutePath().normalize();
            if (seen.add(p) && !isEmptyDir(p)) {
                topDown.add(p);
            }
        }
        Collections.reverse(topDown);
        return topDown;
    }

    private static boolean isEmptyDir(Path p) throws IOException {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return false; // overlay reports what is wrong with it
        }
        try (Stream<Path> entries = Files.list(p)) {
            return entries.findAny().isEmpty();
        }
    }

    /**
     * Short relative names for the lower dirs, as containers-storage's {@code l/<id>} links: one
     * symlink per layer in this execution's {@code l/}, so that the option string stays within the
     * page mount(2) copies however long the store's paths are; the child mounts from this dir.
     */
    private List<Path> shortLinks(List<Path> lowers) throws IOException {
        Path links = Files.createDirectory(dir.resolve("l"));
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < lowers.size(); i++) {
            String name = Integer.toString(i, Character.MAX_RADIX);
            Files.createSymbolicLink(links.resolve(name), lowers.get(i));
            out.add(Path.of("l", name));
        }
        return out;
    }

    /**
     * Whether overlay takes the {@code volatile} option here: Linux 5.10 and later (an older
     * kernel refuses the mount; the kernel's release is part of the isolation probe's memo, so a
     * remembered answer never outlives a kernel change).
     */
    static boolean overlayHasVolatile() {
        try {
            return releaseAtLeast(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim(), 5, 10);
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a kernel release such as {@code 6.1.0-13-amd64} is {@code major.minor} or later. */
    static boolean releaseAtLeast(String release, int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        if (!m.find()) {
            return false;
        }
        int ma = Integer.parseInt(m.group(1));
        return ma > major || (ma == major && Integer.parseInt(m.group(2)) >= minor);
    }

    private static String overlayOptions(List<Path> lowersBottomToTop, Path upper, Path work, boolean volatileMount) {
        StringBuilder sb = new StringBuilder("lowerdir=");
        for (int i = lowersBottomToTop.size() - 1; i >= 0; i--) {
            sb.append(escape(FileNames.text(lowersBottomToTop.get(i))));
            if (i > 0) {
                sb.append(':');
            }
        }
        sb.append(",upperdir=").append(escape(FileNames.text(upper.toAbsolutePath())));
        sb.append(",workdir=").append(escape(FileNames.text(work.toAbsolutePath())));
        if (volatileMount) {
            sb.append(",volatile");
        }
        return sb.append(',').append(OverlayMarkers.MOUNT_OPTION).toString();
    }

    private static String escape(String path) {
        if (path.indexOf(',') >= 0) {
            throw new SandboxException("a layer path contains a comma, which overlay cannot take: "
                    + path, "move kiln's storage (--root) to a path without commas");
        }
        return path.replace("\\", "\\\\").replace(":", "\\:");
    }

    private static String hosts(Network network, String hostname) throws IOException {
        StringBuilder sb = new StringBuilder();
        Path host = Path.of("/etc/hosts");
        if (network == Network.HOST && Files.isReadable(host)) {
            sb.append(Files.readString(host));
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
                sb.append('\n');
            }
        } else {
            sb.append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        }
        sb.append("127.0.1.1\t").append(hostname).append('\n');
        return sb.toString();
    }

    private static String resolvConf() throws IOException {
        Path host = Path.of("/etc/resolv.conf");
        return Files.isReadable(host) ? Files.readString(host) : "";
    }

    private StdioFile stdio(Stdio s, int fd) throws IOException {
        boolean input = fd == 0;
        if (s instanceof Stdio.Inherit) {
            return null;
        }
        if (s instanceof Stdio.Null) {
            return new StdioFile("/dev/null", input ? ChildProgram.O_RDONLY : ChildProgram.O_WRONLY);
        }
        if (s instanceof Stdio.File f) {
            int flags = input ? ChildProgram.O_RDONLY
                    : ChildProgram.O_WRONLY | ChildProgram.O_CREAT
                            | (f.append() ? ChildProgram.O_APPEND : ChildProgram.O_TRUNC);
            return new StdioFile(FileNames.text(f.path().toAbsolutePath()), flags);
        }
        Path fifo = dir.resolve(new String[] {"stdin", "stdout", "stderr"}[fd]);
        Syscalls.mkfifo(fifo, 0600);
        holders.add(new RandomAccessFile(fifo.toFile(), "rw"));
        // Buffered: JDK 17's FileInputStream.readAllBytes seeks, which fails on a FIFO (ESPIPE)
        streams[fd] = input ? new FileOutputStream(fifo.toFile())
                : new BufferedInputStream(new FileInputStream(fifo.toFile()));
        return new StdioFile(FileNames.text(fifo), input ? ChildProgram.O_RDONLY : ChildProgram.O_WRONLY);
    }

    ContainerSetup.Prepared setup() {
        return setup;
    }

    OutputStream stdin() {
        return (OutputStream) streams[0];
    }

    InputStream stdout() {
        return (InputStream) streams[1];
    }

    InputStream stderr() {
        return (InputStream) streams[2];
    }

    /** After the child has opened its ends (or failed): drop kiln's extra ends of the FIFOs. */
    void releaseFifos() {
        holders.forEach(ExecDir::closeQuietly);
        holders.clear();
    }

    /** True when the process's changes land in the upper dir as it runs: {@link #keepChanges} has nothing to do. */
    boolean changesInPlace() {
        return baseline == null;
    }

    /**
     * The process ended: makes sure its changes are in the upper dir (moving them there from the
     * private copy, if it ran in one) and says how they got there.
     */
    RootChanges keepChanges() throws IOException {
        if (baseline != null) {
            baseline.moveChangesTo(copy, upper);
        }
        return changes;
    }

    /** The execution never started: close everything and remove the directory. */
    void abandon() {
        releaseFifos();
        for (Closeable c : streams) {
            closeQuietly(c);
        }
        finished();
    }

    /** The process ended: remove the directory and the copy (open streams keep their data). */
    void finished() {
        FileTrees.deleteQuietly(dir);
        if (copy != null) {
            FileTrees.deleteQuietly(copy);
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
