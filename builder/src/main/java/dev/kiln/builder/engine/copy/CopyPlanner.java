package dev.kiln.builder.engine.copy;

import dev.kiln.builder.dockerfile.Heredoc;
import dev.kiln.builder.dockerfile.IgnoreMatcher;
import dev.kiln.builder.dockerfile.InstructionRules;
import dev.kiln.builder.engine.StepException;
import dev.kiln.builder.engine.context.Archives;
import dev.kiln.builder.engine.context.BuildContext;
import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Digester;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.files.ImagePaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Resolves the sources of a COPY or ADD into {@link CopyItem}s with Docker's rules: globs (which
 * may match nothing only when other sources matched), a directory copies its contents, a single
 * file goes to {@code dest} unless {@code dest} ends with {@code /} or is a directory (then to
 * {@code dest/NAME}), several sources need a directory, {@code --parents} keeps the source's path,
 * {@code --exclude} drops paths. Only paths the context's ignore rules allow are visible; a source
 * outside the context is an error. {@link #digest} is the cache input: names, types, modes, sizes,
 * bytes and link targets of everything copied.
 */
public final class CopyPlanner {
    private final CopySpec spec;
    private final BuildContext context;
    private final String workdir;
    private final LayerFiles.View rootfs;
    private final Downloader downloader;

    CopyPlanner(CopySpec spec, BuildContext context, String workdir, LayerFiles.View rootfs, Downloader downloader) {
        this.spec = spec;
        this.context = context;
        this.workdir = workdir == null ? "/" : workdir;
        this.rootfs = rootfs;
        this.downloader = downloader;
    }

    /** Downloads an ADD URL, verifying {@code checksum} when given. */
    public interface Downloader {
        Path download(String url, String checksum);
    }

    List<CopyItem> plan() {
        String destText = spec.files().dest();
        String destAbs = "/" + rootfs.realPath(ImagePaths.relative(ImagePaths.resolve(workdir, destText)));
        List<String> sources = spec.files().sources();
        IgnoreMatcher excludes = spec.excludes().isEmpty() ? IgnoreMatcher.empty()
                : IgnoreMatcher.parse("--exclude", String.join("\n", spec.excludes()));
        List<Resolved> resolved = new ArrayList<>();
        for (String src : sources) {
            Optional<Heredoc> doc = spec.files().heredocFor(src);
            if (doc.isPresent()) {
                resolved.add(new Resolved(null, doc.get(), null, doc.get().name(), null));
            } else if (spec.add() && isUrl(src)) { // COPY of a URL: refused by InstructionRules
                resolved.add(new Resolved(null, null, src, urlName(src), null));
            } else {
                resolved.addAll(match(src, excludes));
            }
        }
        boolean destIsDir = destText.endsWith("/") || destText.equals(".") || destText.endsWith("/.")
                || resolved.size() > 1 || rootfs.isDirectory(destAbs);
        List<CopyItem> items = new ArrayList<>();
        for (Resolved r : resolved) {
            String fileDest = ImagePaths.relative(destIsDir ? destAbs + "/" + r.name() : destAbs);
            if (r.heredoc() != null) {
                items.add(new CopyItem.Inline(fileDest, r.heredoc().content().getBytes(StandardCharsets.UTF_8)));
            } else if (r.url() != null) {
                items.add(new CopyItem.Download(fileDest, downloader.download(r.url(), spec.checksum())));
            } else {
                addLocal(r, destAbs, fileDest, excludes, items);
            }
        }
        return items;
    }

    /** One matched source; {@code pivot} is the context path before {@code /./} for {@code --parents}. */
    private record Resolved(String path, Heredoc heredoc, String url, String name, String pivot) {}

    private List<Resolved> match(String src, IgnoreMatcher excludes) {
        String pivotless = src;
        int cut = src.indexOf("/./");
        String pivot = cut >= 0 ? contextRelative(src.substring(0, cut)) : null;
        String rel = contextRelative(src);
        List<Resolved> out = new ArrayList<>();
        if (SourceGlob.hasMeta(rel)) {
            SourceGlob glob = SourceGlob.compile(rel);
            for (String p : context.paths().keySet()) {
                if (glob.matches(p) && !excludes.excluded(p)) {
                    out.add(new Resolved(p, null, null, baseName(p), pivot));
                }
            }
            if (out.isEmpty() && spec.files().sources().size() == 1) {
                throw notFound(pivotless);
            }
            return out;
        }
        if (!context.includes(rel) || !Files.exists(FileNames.resolve(context.dir(), rel), LinkOption.NOFOLLOW_LINKS)) {
            throw notFound(pivotless);
        }
        out.add(new Resolved(rel, null, null, rel.isEmpty() ? "" : baseName(rel), pivot));
        return out;
    }

    private void addLocal(Resolved r, String destAbs, String fileDest, IgnoreMatcher excludes, List<CopyItem> items) {
        String rel = r.path();
        Path path = FileNames.resolve(context.dir(), rel);
        Path real = followInside(path, rel);
        String realRel = FileNames.relative(context.dir(), real);
        if (!context.includes(realRel)) {
            // a link to what .dockerignore leaves out: BuildKit's context does not hold the target
            throw notFound(rel);
        }
        String parentsPrefix = !spec.parents() ? null
                : r.pivot() == null ? rel : r.pivot().isEmpty() ? rel : rel.substring(r.pivot().length() + 1);
        if (Files.isDirectory(real)) {
            String dirDest = ImagePaths.relative(parentsPrefix == null ? destAbs : destAbs + "/" + parentsPrefix);
            if (!dirDest.isEmpty()) {
                items.add(new CopyItem.FromDisk(dirDest, real, CopyItem.Kind.TARGET));
            }
            for (Map.Entry<String, Boolean> e : context.below(realRel).entrySet()) {
                String sub = e.getKey().substring(realRel.isEmpty() ? 0 : realRel.length() + 1);
                if (excludes.excluded(sub) || excludes.excluded(e.getKey())) {
                    continue;
                }
                Path p = FileNames.resolve(context.dir(), e.getKey());
                CopyItem.Kind kind = Files.isSymbolicLink(p) ? CopyItem.Kind.SYMLINK
                        : e.getValue() ? CopyItem.Kind.DIRECTORY : CopyItem.Kind.FILE;
                items.add(new CopyItem.FromDisk(dirDest.isEmpty() ? sub : dirDest + "/" + sub, p, kind));
            }
            return;
        }
        String dest = parentsPrefix == null ? fileDest : ImagePaths.relative(destAbs + "/" + parentsPrefix);
        if (spec.unpack() && Archives.isArchive(real)) {
            items.add(new CopyItem.Archive(ImagePaths.relative(destAbs), real));
        } else {
            items.add(new CopyItem.FromDisk(dest, real, CopyItem.Kind.FILE));
        }
    }

    /** The named source with symlinks followed (COPY follows the source itself), staying inside. */
    private Path followInside(Path path, String rel) {
        try {
            Path real = path.toRealPath();
            if (!real.startsWith(context.dir().toRealPath())) {
                throw new StepException(spec.range(), spec.keyword() + " source " + rel
                        + " is a symlink to " + FileNames.text(real) + ", outside the build context", null);
            }
            return context.dir().resolve(context.dir().toRealPath().relativize(real));
        } catch (IOException e) {
            throw notFound(rel);
        }
    }

    /** {@code src} relative to the context root; an error when it climbs out. */
    private String contextRelative(String src) {
        return ImagePaths.inside(src).map(parts -> String.join("/", parts)).orElseThrow(
                () -> new StepException(spec.range(), spec.keyword() + " source " + src
                        + " is outside the build context (" + context.dir() + ")",
                        "only files under the context directory can be copied; move them there or "
                                + "choose a larger context"));
    }

    private StepException notFound(String src) {
        return new StepException(spec.range(), spec.keyword() + " failed: " + src
                + ": not found in the build context (or excluded by .dockerignore)",
                "check the path relative to " + context.dir() + " and the .dockerignore rules");
    }

    static boolean isUrl(String src) {
        return InstructionRules.isUrl(src);
    }

    private static String urlName(String url) {
        String path = java.net.URI.create(url).getPath();
        String base = path == null ? "" : baseName(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        return base.isEmpty() ? "__unnamed__" : base;
    }

    private static String baseName(String p) {
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /**
     * The cache input of {@code items}: everything the layer records of them — every name, kind,
     * mode (special bits included), size, mtime (in whole seconds, as LayerWriter records it), byte, link target, {@code user.} xattr and which
     * sources are hardlinks of one another — so that a layer is reused only where it is the layer
     * this context would make. (BuildKit leaves times out of its checksum and so reuses a layer
     * whose files carry another checkout's times; kiln does not.)
     */
    public static Digest digest(List<CopyItem> items) {
        Digester d = Digester.sha256();
        byte[] buf = new byte[1 << 16];
        Map<Object, Integer> inodes = new HashMap<>();
        try {
            for (int i = 0; i < items.size(); i++) {
                CopyItem item = items.get(i);
                String kind = item instanceof CopyItem.FromDisk f ? f.kind().name() : "";
                d.update((item.getClass().getSimpleName() + "\0" + kind + "\0").getBytes(StandardCharsets.UTF_8));
                d.update(FileNames.encode(item.dest()));
                d.update((byte) 0);
                if (item instanceof CopyItem.Inline in) {
                    d.update(in.content());
                    continue;
                }
                Path file = item instanceof CopyItem.FromDisk f ? f.source()
                        : item instanceof CopyItem.Archive ar ? ar.archive() : ((CopyItem.Download) item).file();
                Map<String, Object> a = Files.readAttributes(file, "unix:mode,size,lastModifiedTime,nlink,ino,dev",
                        LinkOption.NOFOLLOW_LINKS);
                Object inode = a.get("dev") + ":" + a.get("ino");
                Integer first = (Integer) a.get("nlink") > 1 && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                        ? inodes.putIfAbsent(inode, i) : null;
                d.update((a.get("mode") + "\0" + a.get("size") + "\0"
                        + ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.SECONDS) + "\0"
                        + (first == null ? "" : "link " + first) + "\0").getBytes(StandardCharsets.UTF_8));
                if (Files.isSymbolicLink(file)) {
                    d.update(FileNames.encode(FileNames.text(Files.readSymbolicLink(file))));
                } else {
                    xattrs(file, d);
                    if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                        try (InputStream in = Files.newInputStream(file)) {
                            int n;
                            while ((n = in.read(buf)) > 0) {
                                d.update(buf, 0, n);
                            }
                        }
                    }
                }
                d.update((byte) 0);
            }
        } catch (IOException e) {
            throw new dev.kiln.oci.KilnException("cannot read a COPY source: " + e.getMessage(), e);
        }
        return d.digest();
    }

    /** The {@code user.} xattrs a copy takes along (what COPY_ATTRIBUTES copies), sorted. */
    private static void xattrs(Path file, Digester d) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        if (view == null) {
            return;
        }
        List<String> names;
        try {
            names = new ArrayList<>(view.list());
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
            return; // a file system without xattrs: the copy gets none either
        }
        names.sort(null);
        for (String name : names) {
            ByteBuffer value = ByteBuffer.allocate(view.size(name));
            view.read(name, value);
            d.update((name + "=").getBytes(StandardCharsets.UTF_8));
            d.update(Arrays.copyOf(value.array(), value.position()));
            d.update((byte) 0);
        }
    }
}
