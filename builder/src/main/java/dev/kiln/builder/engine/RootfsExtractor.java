package dev.kiln.builder.engine;

import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.BlobSource;
import dev.kiln.oci.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Flattens layers into a plain directory, for {@code COPY --from}: applies each layer in order with
 * its whiteouts and opaque markers, never writing outside the directory or through a symlink.
 * Owners are not kept (COPY gives its files 0:0 or {@code --chown}'s owner); devices are skipped;
 * every file and directory stays readable by kiln.
 */
final class RootfsExtractor {
    private RootfsExtractor() {}

    static void extract(List<LayerBlob> layers, BlobSource blobs, Path root) throws IOException {
        Files.createDirectories(root);
        for (LayerBlob layer : layers) {
            try (InputStream raw = blobs.open(layer.descriptor().digest());
                    TarArchiveInputStream tar = new TarArchiveInputStream(Compression.autoDecompress(raw))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    apply(e, tar, root);
                }
            }
        }
    }

    private static void apply(TarArchiveEntry e, InputStream tar, Path root) throws IOException {
        String rel = Paths.relative(e.getName());
        if (rel.isEmpty()) {
            return;
        }
        Path target = root.resolve(rel);
        if (!parentsAreDirs(root, target)) {
            return;
        }
        String base = target.getFileName().toString();
        if (base.equals(".wh..wh..opq")) {
            try (Stream<Path> children = Files.list(target.getParent())) {
                for (Path c : children.toList()) {
                    Scratch.delete(c);
                    Files.deleteIfExists(c);
                }
            }
            return;
        }
        if (base.startsWith(".wh.")) {
            Path gone = target.resolveSibling(base.substring(4));
            Scratch.delete(gone);
            Files.deleteIfExists(gone);
            return;
        }
        Files.createDirectories(target.getParent());
        if (e.isDirectory()) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(target);
                Files.createDirectory(target);
            }
            Files.setPosixFilePermissions(target, Archives.permissions(e.getMode() | 0700));
            return;
        }
        Scratch.delete(target);
        Files.deleteIfExists(target);
        if (e.isSymbolicLink()) {
            Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        } else if (e.isLink()) {
            Path to = root.resolve(Paths.relative(e.getLinkName()));
            if (Files.isRegularFile(to, LinkOption.NOFOLLOW_LINKS) && parentsAreDirs(root, to)) {
                Files.createLink(target, to);
            }
        } else if (e.isFile()) {
            Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, Archives.permissions(e.getMode() | 0400));
            Files.setLastModifiedTime(target, FileTime.fromMillis(e.getModTime().getTime()));
        }
    }

    /** True when every directory between {@code root} and {@code target} is a real directory (or absent). */
    private static boolean parentsAreDirs(Path root, Path target) {
        Path p = target.normalize();
        if (!p.startsWith(root)) {
            return false;
        }
        for (Path q = p.getParent(); q != null && !q.equals(root); q = q.getParent()) {
            if (Files.isSymbolicLink(q)) {
                return false;
            }
        }
        return true;
    }
}
