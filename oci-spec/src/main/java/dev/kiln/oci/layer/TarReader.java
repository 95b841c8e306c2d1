package dev.kiln.oci.layer;

import dev.kiln.oci.files.FileNames;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a tar with entry names, link names and xattr values kept byte-exact: names come out in
 * the text form of {@link FileNames} (so a Latin-1 or otherwise invalid UTF-8 name survives), and
 * {@link #xattrs()} gives the raw bytes of PAX {@code SCHILY.xattr.*} values (binary values such as
 * {@code security.capability} included).
 *
 * <p>commons-compress reads ustar and GNU long-name fields in the charset it is given
 * (ISO-8859-1 here: one char per byte) but always decodes PAX records as UTF-8, replacing what is
 * not valid UTF-8 (Go's archive/tar, i.e. Docker, writes raw bytes there; GNU tar writes them with
 * {@code hdrcharset=BINARY}). This reader therefore keeps the bytes of each entry's PAX header as
 * commons-compress reads them through this stream and takes {@code path}, {@code linkpath} and the
 * xattrs from those bytes.
 */
public final class TarReader extends TarArchiveInputStream {
    private static final String XATTR_PREFIX = "SCHILY.xattr.";

    private final ByteArrayOutputStream paxData = new ByteArrayOutputStream();
    private int depth;
    private Map<String, byte[]> xattrs = Map.of();

    public TarReader(InputStream in) {
        super(in, StandardCharsets.ISO_8859_1.name());
    }

    /** The current entry's extended attributes by full name, values as raw bytes. */
    public Map<String, byte[]> xattrs() {
        return xattrs;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        TarArchiveEntry current = getCurrentEntry();
        if (n > 0 && current != null && current.isPaxHeader()) {
            paxData.write(buf, off, n);
        }
        return n;
    }

    /**
     * The next entry, its name and link name in {@link FileNames} text form (commons-compress
     * reads the headers before it by calling this method again; only the outermost call fixes
     * the names).
     */
    @Override
    public TarArchiveEntry getNextEntry() throws IOException {
        if (depth == 0) {
            paxData.reset();
            xattrs = Map.of();
        }
        TarArchiveEntry entry;
        depth++;
        try {
            entry = super.getNextEntry();
        } finally {
            depth--;
        }
        if (entry == null || depth > 0) {
            return entry;
        }
        Map<String, byte[]> pax = records(paxData.toByteArray());
        byte[] path = pax.get("path");
        entry.setName(path != null && path.length > 0 ? FileNames.decode(path) : FileNames.fromLatin1(entry.getName()));
        byte[] linkPath = pax.get("linkpath");
        entry.setLinkName(linkPath != null && linkPath.length > 0 ? FileNames.decode(linkPath) : FileNames.fromLatin1(entry.getLinkName()));
        Map<String, byte[]> found = new TreeMap<>();
        pax.forEach((key, value) -> {
            if (key.startsWith(XATTR_PREFIX)) {
                found.put(key.substring(XATTR_PREFIX.length()), value);
            }
        });
        xattrs = Collections.unmodifiableMap(found);
        return entry;
    }

    /**
     * PAX records ({@code "LEN KEY=VALUE\n"}) with values as bytes; a later record for a key
     * replaces an earlier one. Malformed data ends the parse (commons-compress has already
     * refused what it cannot read).
     */
    static Map<String, byte[]> records(byte[] data) {
        Map<String, byte[]> out = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] >= '0' && data[space] <= '9') {
                space++;
            }
            if (space == pos || space >= data.length || data[space] != ' ' || space - pos > 9) {
                break;
            }
            int length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            int end = pos + length;
            if (length <= 0 || end > data.length || data[end - 1] != '\n') {
                break;
            }
            int equals = space + 1;
            while (equals < end && data[equals] != '=') {
                equals++;
            }
            if (equals >= end) {
                break;
            }
            String key = new String(data, space + 1, equals - space - 1, StandardCharsets.UTF_8);
            out.put(key, Arrays.copyOfRange(data, equals + 1, end - 1));
            pos = end;
        }
        return out;
    }
}
