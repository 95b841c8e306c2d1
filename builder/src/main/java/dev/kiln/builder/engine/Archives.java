package dev.kiln.builder.engine;

import dev.kiln.builder.snapshot.Owner;
import dev.kiln.oci.KilnException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * Local tar archives for ADD: recognised by content (plain tar, gzip, bzip2, xz, zstd), extracted
 * into a directory without ever writing outside it (no {@code ..}, no absolute paths, no writing
 * through a symlink, hardlinks only to entries already extracted). Owners are recorded from the
 * headers, not set on disk.
 */
final class Archives {
    private Archives() {}

    static boolean isArchive(Path file) {
        try (InputStream in = open(file)) {
            byte[] header = in.readNBytes(512);
            return header.length == 512 && new String(header, 257, 5, java.nio.charset.StandardCharsets.US_ASCII)
                    .equals("ustar");
        } catch (IOException | KilnException e) {
            return false;
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            String codec = CompressorStreamFactory.detect(in);
            return new CompressorStreamFactory().createCompressorInputStream(codec, in);
        } catch (CompressorException notCompressed) {
            return in;
        }
    }

    /**
     * Extracts {@code archive} under {@code root/destRel}; returns the owners of what it wrote by
     * path relative to {@code root}.
     */
    static Map<String, Owner> extract(Path archive, Path root, String destRel, Owner chown) throws IOException {
        Map<String, Owner> owners = new java.util.HashMap<>();
        Path dest = destRel.isEmpty() ? root : root.resolve(destRel);
        Files.createDirectories(dest);
        List<Object[]> dirTimes = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(open(archive))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = Paths.relative(e.getName());
                if (name.isEmpty()) {
                    continue;
                }
                Path target = dest.resolve(name);
                checkInside(root, dest, target.getParent(), e.getName());
                Files.createDirectories(target.getParent());
                String rel = root.relativize(target).toString();
                if (e.isDirectory()) {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(target);
                        Files.createDirectory(target);
                    }
                    dirTimes.add(new Object[] {target, e.getModTime().getTime()});
                } else if (e.isSymbolicLink()) {
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                    Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .setTimes(FileTime.fromMillis(e.getModTime().getTime()), null, null);
                } else if (e.isLink()) {
                    Path to = dest.resolve(Paths.relative(e.getLinkName()));
                    checkInside(root, dest, to, e.getLinkName());
                    Files.deleteIfExists(target);
                    Files.createLink(target, to);
                    continue;
                } else if (e.isFile()) {
                    Files.deleteIfExists(target);
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    Files.setLastModifiedTime(target, FileTime.fromMillis(e.getModTime().getTime()));
                } else {
                    continue; // devices and fifos are not extracted by ADD when rootless
                }
                if (!e.isSymbolicLink()) {
                    Archives.setMode(target, e.getMode());
                }
                owners.put(rel, chown != null ? chown : new Owner((int) e.getLongUserId(), (int) e.getLongGroupId()));
            }
        }
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            Files.setLastModifiedTime((Path) dirTimes.get(i)[0], FileTime.fromMillis((Long) dirTimes.get(i)[1]));
        }
        return owners;
    }

    private static void checkInside(Path root, Path dest, Path p, String name) throws IOException {
        Path real = p.normalize();
        if (!real.startsWith(dest.normalize())) {
            throw new IOException("archive entry " + name + " points outside the destination");
        }
        for (Path q = real; q != null && q.startsWith(root); q = q.getParent()) {
            if (Files.isSymbolicLink(q)) {
                throw new IOException("archive entry " + name + " would be written through the symlink " + q);
            }
        }
    }

    /** Sets all of {@code mode}'s bits ({@code 07777}: setuid, setgid and sticky included) on {@code p}. */
    static void setMode(Path p, int mode) throws IOException {
        Files.setAttribute(p, "unix:mode", mode & 07777);
    }
}
