package dev.kiln.oci.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Hand-made tars for extraction tests, hostile ones included: names are written exactly as given. */
final class TarBuilder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    TarBuilder() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    TarBuilder file(String name, String content) throws IOException {
        return file(name, content, 0644);
    }

    TarBuilder file(String name, String content, int mode) throws IOException {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(data.length);
        e.setMode(mode);
        e.setModTime(1_000_000_000_000L);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
        return this;
    }

    TarBuilder dir(String name, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
        e.setMode(mode);
        e.setModTime(1_000_000_000_000L);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    TarBuilder symlink(String name, String target) throws IOException {
        return link(name, target, TarArchiveEntry.LF_SYMLINK);
    }

    TarBuilder hardlink(String name, String target) throws IOException {
        return link(name, target, TarArchiveEntry.LF_LINK);
    }

    TarBuilder device(String name, byte flag, int major, int minor) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, flag, true);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        e.setMode(0666);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    private TarBuilder link(String name, String target, byte flag) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, flag, true);
        e.setLinkName(target);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    byte[] bytes() throws IOException {
        tar.finish();
        tar.close();
        return bytes.toByteArray();
    }

    InputStream stream() throws IOException {
        return new ByteArrayInputStream(bytes());
    }
}
