package dev.kiln.oci.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipEncoding;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a tar's records byte for byte as commons-compress's {@code TarArchiveOutputStream} does
 * when set up for layers (ISO-8859-1 names truncated to their fields, star-mode binary numbers,
 * 512-byte blocks): a header record per entry, its content padded to a whole record, and two zero
 * records at the end. The common header — name and link name shorter than their 100-byte fields,
 * every number small enough for octal — is encoded here, a few times cheaper than building a
 * {@link TarArchiveEntry}; any other header is commons-compress's own
 * {@link TarArchiveEntry#writeEntryHeader(byte[], ZipEncoding, boolean)}, the code that stream
 * calls. {@link #close} finishes and closes the stream below.
 */
final class TarOutput implements AutoCloseable {
    static final int RECORD = TarConstants.DEFAULT_RCDSIZE;
    private static final ZipEncoding LATIN1 = ZipEncodingHelper.getZipEncoding(StandardCharsets.ISO_8859_1);
    private static final byte[] MAGIC = "ustar\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VERSION = "00".getBytes(StandardCharsets.US_ASCII);
    private static final int MODE = TarConstants.NAMELEN;
    private static final int UID = MODE + TarConstants.MODELEN;
    private static final int GID = UID + TarConstants.UIDLEN;
    private static final int SIZE = GID + TarConstants.GIDLEN;
    private static final int MTIME = SIZE + TarConstants.SIZELEN;
    private static final int CHECKSUM = MTIME + TarConstants.MODTIMELEN;
    private static final int FLAG = CHECKSUM + TarConstants.CHKSUMLEN;
    private static final int LINK = FLAG + 1;
    private static final int MAGIC_AT = LINK + TarConstants.NAMELEN;
    private static final int DEV_MAJOR = MAGIC_AT + TarConstants.MAGICLEN + TarConstants.VERSIONLEN
            + TarConstants.UNAMELEN + TarConstants.GNAMELEN;
    private static final int DEV_MINOR = DEV_MAJOR + TarConstants.DEVLEN;

    private final OutputStream out;
    private final byte[] header = new byte[RECORD];
    private long expected;
    private long written;
    private boolean inEntry;

    TarOutput(OutputStream out) {
        this.out = out;
    }

    /**
     * Starts an entry: its header record. Names are bytes; {@code mtime} in seconds; {@code size}
     * counts for regular files only, device numbers for devices only (0 for the rest).
     */
    void putEntry(byte[] name, byte flag, int mode, int uid, int gid, long size, long mtime, byte[] link,
                  int devMajor, int devMinor) throws IOException {
        if (!encodeCommon(header, name, flag, mode, uid, gid, size, mtime, link, devMajor, devMinor)) {
            encodeGeneral(header, name, flag, mode, uid, gid, size, mtime, link, devMajor, devMinor);
        }
        start(flag == TarConstants.LF_NORMAL ? size : 0);
    }

    /** Starts an entry whose header commons-compress encodes from {@code entry} as it is. */
    void putEntry(TarArchiveEntry entry) throws IOException {
        Arrays.fill(header, (byte) 0);
        entry.writeEntryHeader(header, LATIN1, true);
        start(entry.isDirectory() ? 0 : entry.getSize());
    }

    private void start(long size) throws IOException {
        if (inEntry) {
            throw new IllegalStateException("the previous entry is not closed");
        }
        out.write(header);
        expected = size;
        written = 0;
        inEntry = true;
    }

    /** Content of the current entry; more than its header's size is refused. */
    void write(byte[] b, int off, int len) throws IOException {
        if (len > expected - written) {
            throw new IOException("request to write '" + len + "' bytes exceeds size in header of '" + expected
                    + "' bytes");
        }
        out.write(b, off, len);
        written += len;
    }

    /** Ends the current entry: its content must be complete; pads it to a whole record. */
    void closeEntry() throws IOException {
        if (written < expected) {
            throw new IOException("entry closed at '" + written + "' before the '" + expected
                    + "' bytes specified in the header were written");
        }
        int tail = (int) (written % RECORD);
        if (tail != 0) {
            Arrays.fill(header, (byte) 0);
            out.write(header, 0, RECORD - tail);
        }
        inEntry = false;
    }

    /** The two zero records that end a tar; closes the stream below. */
    @Override
    public void close() throws IOException {
        try (out) {
            if (inEntry) {
                throw new IllegalStateException("the last entry is not closed");
            }
            Arrays.fill(header, (byte) 0);
            out.write(header);
            out.write(header);
        }
    }

    /**
     * The header in the common form, when it has it: as {@link #encodeGeneral} would write it.
     * False (and {@code buf} undefined) otherwise.
     */
    static boolean encodeCommon(byte[] buf, byte[] name, byte flag, int mode, int uid, int gid, long size,
                                long mtime, byte[] link, int devMajor, int devMinor) {
        if (flag != TarConstants.LF_NORMAL) {
            size = 0;
        }
        if (flag != TarConstants.LF_CHR && flag != TarConstants.LF_BLK) {
            devMajor = 0;
            devMinor = 0;
        }
        if (name.length >= TarConstants.NAMELEN || (link != null && link.length >= TarConstants.NAMELEN)
                || !octal(mode, TarConstants.MAXID) || !octal(uid, TarConstants.MAXID)
                || !octal(gid, TarConstants.MAXID) || !octal(size, TarConstants.MAXSIZE)
                || !octal(mtime, TarConstants.MAXSIZE) || !octal(devMajor, TarConstants.MAXID)
                || !octal(devMinor, TarConstants.MAXID)) {
            return false;
        }
        Arrays.fill(buf, (byte) 0);
        System.arraycopy(name, 0, buf, 0, name.length);
        putOctal(buf, MODE, TarConstants.MODELEN, mode);
        putOctal(buf, UID, TarConstants.UIDLEN, uid);
        putOctal(buf, GID, TarConstants.GIDLEN, gid);
        putOctal(buf, SIZE, TarConstants.SIZELEN, size);
        putOctal(buf, MTIME, TarConstants.MODTIMELEN, mtime);
        Arrays.fill(buf, CHECKSUM, CHECKSUM + TarConstants.CHKSUMLEN, (byte) ' ');
        buf[FLAG] = flag;
        if (link != null) {
            System.arraycopy(link, 0, buf, LINK, link.length);
        }
        System.arraycopy(MAGIC, 0, buf, MAGIC_AT, MAGIC.length);
        System.arraycopy(VERSION, 0, buf, MAGIC_AT + TarConstants.MAGICLEN, VERSION.length);
        putOctal(buf, DEV_MAJOR, TarConstants.DEVLEN, devMajor);
        putOctal(buf, DEV_MINOR, TarConstants.DEVLEN, devMinor);
        long sum = 0;
        for (byte b : buf) {
            sum += b & 0xff;
        }
        // six digits, NUL, space
        putDigits(buf, CHECKSUM, TarConstants.CHKSUMLEN - 2, sum);
        buf[CHECKSUM + TarConstants.CHKSUMLEN - 2] = 0;
        return true;
    }

    /** The header as commons-compress encodes it (with empty user and group names). */
    static void encodeGeneral(byte[] buf, byte[] name, byte flag, int mode, int uid, int gid, long size, long mtime,
                              byte[] link, int devMajor, int devMinor) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(latin1(name), flag, false);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(mtime * 1000L);
        if (link != null) {
            e.setLinkName(latin1(link));
        }
        if (flag == TarConstants.LF_CHR || flag == TarConstants.LF_BLK) {
            e.setDevMajor(devMajor);
            e.setDevMinor(devMinor);
        }
        if (flag == TarConstants.LF_NORMAL) {
            e.setSize(size);
        }
        Arrays.fill(buf, (byte) 0);
        e.writeEntryHeader(buf, LATIN1, true);
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static boolean octal(long value, long max) {
        return value >= 0 && value <= max;
    }

    /** {@code value} as zero-padded octal digits filling the field but for a trailing space. */
    private static void putOctal(byte[] buf, int offset, int length, long value) {
        putDigits(buf, offset, length - 1, value);
        buf[offset + length - 1] = ' ';
    }

    private static void putDigits(byte[] buf, int offset, int digits, long value) {
        for (int i = offset + digits - 1; i >= offset; i--) {
            buf[i] = (byte) ('0' + (value & 7));
            value >>>= 3;
        }
    }
}
