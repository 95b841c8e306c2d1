package dev.kiln.oci.layout;

import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * OCI archives: a tar of an OCI image layout ({@code oci-layout}, {@code index.json},
 * {@code blobs/<alg>/<hex>}), as {@code skopeo copy … oci-archive:FILE:TAG} and
 * {@code podman save --format oci-archive} make. Written deterministically: same layout, same bytes.
 */
public final class OciArchive {
    private OciArchive() {
    }

    /** Writes {@code layout} as a tar to {@code archive}, atomically (temp file, then rename). */
    public static void write(OciLayout layout, Path archive) throws IOException {
        Path parent = archive.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, "." + archive.getFileName(), ".partial");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                write(layout, out);
            }
            Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes {@code layout} as a tar: {@code oci-layout}, {@code index.json}, then the blob
     * directories and blobs in name order; owners 0:0, mtime 0. Does not close {@code out}.
     */
    public static void write(OciLayout layout, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = ArchiveTar.writer(out);
        ArchiveTar.addFile(tar, OciLayout.LAYOUT_FILE, layout.dir().resolve(OciLayout.LAYOUT_FILE));
        ArchiveTar.addFile(tar, OciLayout.INDEX_FILE, layout.dir().resolve(OciLayout.INDEX_FILE));
        ArchiveTar.addDirectory(tar, OciLayout.BLOBS_DIR);
        Path blobs = layout.blobStore().root();
        for (Path algorithmDir : sorted(blobs)) {
            String algorithm = algorithmDir.getFileName().toString();
            if (algorithm.startsWith(".") || !Files.isDirectory(algorithmDir)) {
                continue;
            }
            ArchiveTar.addDirectory(tar, ArchiveTar.blobsDir(algorithm));
            for (Path blob : sorted(algorithmDir)) {
                if (Files.isRegularFile(blob)) {
                    ArchiveTar.addFile(tar, ArchiveTar.blobsDir(algorithm) + "/" + blob.getFileName(), blob);
                }
            }
        }
        tar.finish();
    }

    private static List<Path> sorted(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        }
    }

    /**
     * Extracts an OCI archive into {@code dir} (which should be empty or absent) and opens it as a
     * layout. Only plain files and directories are extracted; names are checked to stay inside
     * {@code dir}; every blob is verified against its file name.
     */
    public static OciLayout extract(Path archive, Path dir) throws IOException {
        try (InputStream in = Files.newInputStream(archive)) {
            return extract(in, dir);
        }
    }

    /** As {@link #extract(Path, Path)}, from a stream (plain or compressed tar). */
    public static OciLayout extract(InputStream archive, Path dir) throws IOException {
        ArchiveTar.extract(archive, dir);
        return OciLayout.open(dir);
    }
}
