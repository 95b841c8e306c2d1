package dev.kiln.oci.layout;

import dev.kiln.oci.Compression;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.Digester;
import dev.kiln.oci.DigestingInputStream;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.ImagePaths;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tar plumbing for image archives: deterministic entries (owner 0:0, mtime 0, fixed modes, PAX for
 * long names) when writing; flat, link-free, verified extraction when reading.
 */
final class ArchiveTar {
    private static final Pattern BLOB_PATH = Pattern.compile(OciLayout.BLOBS_DIR + "/(sha256|sha512)/([0-9a-f]+)");

    private ArchiveTar() {
    }

    /** A blob's entry name in an image archive (an OCI layout's or docker save's): {@code blobs/<alg>/<hex>}. */
    static String blobEntry(Digest digest) {
        return blobsDir(digest.algorithm()) + "/" + digest.hex();
    }

    /** The directory entry of an algorithm's blobs: {@code blobs/<alg>}. */
    static String blobsDir(String algorithm) {
        return OciLayout.BLOBS_DIR + "/" + algorithm;
    }

    static TarArchiveOutputStream writer(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        return tar;
    }

    static void addDirectory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        entry.setMode(040755);
        normalise(entry);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    static void addFile(TarArchiveOutputStream tar, String name, long size, InputStream content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0100644);
        entry.setSize(size);
        normalise(entry);
        tar.putArchiveEntry(entry);
        long copied = content.transferTo(tar);
        if (copied != size) {
            throw new IOException("tar entry " + name + ": expected " + size + " bytes, got " + copied);
        }
        tar.closeArchiveEntry();
    }

    static void addFile(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        addFile(tar, name, content.length, new ByteArrayInputStream(content));
    }

    static void addFile(TarArchiveOutputStream tar, String name, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            addFile(tar, name, Files.size(file), in);
        }
    }

    private static void normalise(TarArchiveEntry entry) {
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("");
        entry.setGroupName("");
        entry.setModTime(0);
    }

    /**
     * Extracts the regular files of an image archive (plain or compressed) into {@code dir}. Names
     * must be relative without {@code ..}; no links are created (symlinks and hardlinks are returned
     * as name → target, relative to the archive root, for the caller to resolve); files named
     * {@code blobs/<alg>/<hex>} are verified against their names.
     */
    static Map<String, String> extract(InputStream archive, Path dir) throws IOException {
        Map<String, String> links = new HashMap<>();
        Files.createDirectories(dir);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Compression.autoDecompress(archive), "UTF-8")) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = cleanName(entry.getName());
                if (name.isEmpty()) {
                    continue;
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(dir.resolve(name));
                } else if (entry.isSymbolicLink()) {
                    links.put(name, resolveRelative(name, entry.getLinkName()));
                } else if (entry.isLink()) {
                    links.put(name, cleanName(entry.getLinkName()));
                } else if (entry.isFile()) {
                    Path target = dir.resolve(name);
                    Files.createDirectories(target.getParent());
                    writeVerified(tar, name, target);
                }
                // devices, fifos: not part of an image archive; skipped
            }
        }
        return links;
    }

    private static void writeVerified(InputStream content, String name, Path target) throws IOException {
        Matcher blob = BLOB_PATH.matcher(name);
        Digest expected = null;
        if (blob.matches()) {
            expected = new Digest(blob.group(1), blob.group(2));
        }
        DigestingInputStream in = new DigestingInputStream(content,
                Digester.of(expected == null ? Digest.SHA256 : expected.algorithm()));
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            in.transferTo(out);
        }
        if (expected != null && !expected.equals(in.digest())) {
            Files.delete(target);
            throw new DigestMismatchException("archive entry " + name, expected, in.digest());
        }
    }

    /**
     * A relative, {@code ..}-free form of a tar entry name, or a refusal: a strict validator, not a
     * cleaner. Past a leading {@code ./} and a trailing {@code /} the name must already be clean
     * (what an image archive's writer puts there); any {@code ..}, {@code .} or empty part is refused
     * rather than folded as {@link ImagePaths} would.
     */
    static String cleanName(String raw) {
        String name = raw;
        while (name.startsWith("./")) {
            name = name.substring(2);
        }
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty() || name.equals(".")) {
            return ""; // the archive's root: "./" as GNU tar -C DIR . writes it, or "."
        }
        if (name.startsWith("/") || name.contains("\0")) {
            throw new KilnException("refusing archive entry '" + raw + "': absolute path");
        }
        for (String part : name.split("/", -1)) {
            if (part.equals("..") || part.isEmpty() || part.equals(".")) {
                throw new KilnException("refusing archive entry '" + raw + "': not a clean relative path");
            }
        }
        return name;
    }

    /** Resolves a symlink target relative to the link's directory, refusing escapes. */
    private static String resolveRelative(String linkName, String target) {
        if (target.startsWith("/")) {
            throw new KilnException("refusing archive symlink '" + linkName + "' -> '" + target + "': absolute");
        }
        int slash = linkName.lastIndexOf('/');
        String dir = slash > 0 ? linkName.substring(0, slash) : "";
        return ImagePaths.inside(dir + "/" + target).map(parts -> String.join("/", parts)).orElseThrow(
                () -> new KilnException("refusing archive symlink '" + linkName + "' -> '" + target
                        + "': leaves the archive"));
    }

    /** Follows in-archive links from {@code name} to a regular file's name. */
    static String followLinks(String name, Map<String, String> links) {
        String current = cleanName(name);
        for (int i = 0; i < 16 && links.containsKey(current); i++) {
            current = links.get(current);
        }
        return current;
    }
}
