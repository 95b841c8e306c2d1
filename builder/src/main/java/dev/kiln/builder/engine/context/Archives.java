package dev.kiln.builder.engine.context;

import dev.kiln.builder.snapshot.Owner;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.layer.FileOps;
import dev.kiln.oci.layer.LayerException;
import dev.kiln.oci.layer.LayerExtractor;
import dev.kiln.oci.layer.WhiteoutHandler;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * Local tar archives for ADD and tar build contexts: recognised by content (plain tar, gzip,
 * bzip2, xz, zstd) and extracted by {@link LayerExtractor}, the one extractor every tar goes
 * through, which never writes outside the destination. Owners are recorded from the headers, not
 * set on disk.
 */
public final class Archives {
    private Archives() {}

    public static boolean isArchive(Path file) {
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
     * Extracts {@code archive} under {@code root/destRel} with the one layer extractor (everything
     * resolved inside {@code root/destRel}, symlinks never followed out of it, names byte-exact;
     * {@code .wh.} entries are plain files here, device nodes are skipped); returns the owners of
     * what it wrote by path relative to {@code root} ({@code chown}'s when given, else the
     * headers'). Owners are not set on disk.
     */
    public static Map<String, Owner> extract(Path archive, Path root, String destRel, Owner chown) throws IOException {
        Path dest = destRel.isEmpty() ? root : FileNames.resolve(root, destRel);
        Files.createDirectories(dest);
        OwnerRecorder owners = new OwnerRecorder(root, chown);
        LayerExtractor.Options options = LayerExtractor.Options.defaults().withWhiteouts(WhiteoutHandler.none())
                .withFileOps(owners).withApplyXattrs(false);
        try (InputStream in = open(archive)) {
            new LayerExtractor(options).extract(in, dest);
        } catch (LayerException e) {
            throw new IOException("archive " + FileNames.name(archive) + ": " + e.getMessage(), e);
        }
        return owners.owners;
    }

    /** Records the owner each entry would get instead of setting it: the snapshot writes owners into the tar. */
    private static final class OwnerRecorder implements FileOps {
        private final Path root;
        private final Owner chown;
        final Map<String, Owner> owners = new HashMap<>();

        OwnerRecorder(Path root, Owner chown) {
            this.root = root;
            this.chown = chown;
        }

        @Override
        public void chown(Path path, int uid, int gid) {
            owners.put(FileNames.relative(root, path), chown != null ? chown : new Owner(uid, gid));
        }

        @Override
        public void setXattr(Path path, String name, byte[] value) {
            throw new UnsupportedOperationException("ADD does not set extended attributes");
        }

        @Override
        public void mknod(Path path, char type, int mode, int major, int minor) {
            throw new UnsupportedOperationException("ADD does not create device nodes");
        }
    }

    /** Sets all of {@code mode}'s bits ({@code 07777}: setuid, setgid and sticky included) on {@code p}. */
    public static void setMode(Path p, int mode) throws IOException {
        Files.setAttribute(p, "unix:mode", mode & 07777);
    }
}
