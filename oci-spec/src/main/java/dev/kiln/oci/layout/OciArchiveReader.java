package dev.kiln.oci.layout;

import dev.kiln.oci.BlobNotFoundException;
import dev.kiln.oci.BlobSource;
import dev.kiln.oci.Compression;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Image;
import dev.kiln.oci.Index;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Parsed;
import dev.kiln.oci.Platform;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an uncompressed OCI archive in place, without extracting it: the tar's entries are indexed
 * once, then each blob is served from its offset in the file. Streams are independent, so blobs may
 * be read in parallel. Blob bytes are not verified here; consumers verify against the digest they
 * asked for (as {@link BlobStore#put} does). For a compressed archive use
 * {@link OciArchive#extract(Path, Path)}.
 */
public final class OciArchiveReader implements BlobSource {
    private final Path archive;
    private final Map<String, TarArchiveEntry> files = new HashMap<>();

    private OciArchiveReader(Path archive) {
        this.archive = archive;
    }

    /** Indexes {@code archive}; refuses a compressed one and one without {@code index.json}. */
    public static OciArchiveReader open(Path archive) throws IOException {
        try (InputStream head = new BufferedInputStream(Files.newInputStream(archive))) {
            if (Compression.sniff(head) != Compression.NONE) {
                throw new KilnException(archive + " is a compressed archive and cannot be read in place",
                        "extract it first (OciArchive.extract) or decompress it", null);
            }
        }
        OciArchiveReader reader = new OciArchiveReader(archive);
        try (TarFile tar = new TarFile(archive)) {
            for (TarArchiveEntry entry : tar.getEntries()) {
                if (entry.isFile() && !entry.isSparse()) {
                    reader.files.put(ArchiveTar.cleanName(entry.getName()), entry);
                }
            }
        }
        if (!reader.files.containsKey(OciLayout.INDEX_FILE) || !reader.files.containsKey(OciLayout.LAYOUT_FILE)) {
            throw new KilnException(archive + " is not an OCI archive: no index.json or oci-layout",
                    "an OCI archive is a tar of an OCI layout; docker archives are read with DockerArchive", null);
        }
        return reader;
    }

    public Path archive() {
        return archive;
    }

    /** The archive's index.json. */
    public Parsed<Index> index() throws IOException {
        try (InputStream in = openFile(OciLayout.INDEX_FILE)) {
            return Json.parseIndex(in.readAllBytes());
        }
    }

    /** The index.json entry named {@code ref}; with a null ref, the only entry if there is one. */
    public Optional<Descriptor> resolve(String ref) throws IOException {
        return OciLayout.resolve(index().value(), ref);
    }

    /** The single-platform image {@code ref} names, an index resolved for {@code platform}. */
    public Image image(String ref, Platform platform) throws IOException {
        Descriptor root = resolve(ref).orElseThrow(() -> new KilnException("no image "
                + (ref == null ? "(untagged)" : "'" + ref + "'") + " in OCI archive " + archive));
        return OciLayout.resolveImage(this, root, platform, archive.toString());
    }

    @Override
    public boolean has(Digest digest) {
        return files.containsKey(ArchiveTar.blobEntry(digest));
    }

    @Override
    public InputStream open(Digest digest) throws IOException {
        if (!has(digest)) {
            throw new BlobNotFoundException(digest, "OCI archive " + archive);
        }
        return openFile(ArchiveTar.blobEntry(digest));
    }

    private InputStream openFile(String name) throws IOException {
        TarArchiveEntry entry = files.get(name);
        SeekableByteChannel channel = Files.newByteChannel(archive);
        channel.position(entry.getDataOffset());
        return new BufferedInputStream(new Limited(Channels.newInputStream(channel), entry.getSize()), 1 << 16);
    }

    /** At most {@code remaining} bytes of {@code in}; closes {@code in}. */
    private static final class Limited extends java.io.FilterInputStream {
        private long remaining;

        Limited(InputStream in, long remaining) {
            super(in);
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(Math.min(n, remaining));
            remaining -= skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
