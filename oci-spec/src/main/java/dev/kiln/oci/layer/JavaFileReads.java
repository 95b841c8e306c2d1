package dev.kiln.oci.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@link FileReads} through java.nio: the {@code unix:} attributes, the user-defined attribute view, {@link LayerEntry.FileContent}. */
final class JavaFileReads implements FileReads {
    @Override
    public Stat lstat(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p,
                "unix:mode,uid,gid,ino,dev,nlink,rdev,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        return new Stat((Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("dev"),
                (Long) a.get("ino"), (Integer) a.get("nlink"), (Long) a.get("rdev"), (Long) a.get("size"),
                ((FileTime) a.get("lastModifiedTime")).toInstant());
    }

    @Override
    public Map<String, byte[]> userXattrs(Path p) {
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (view == null) {
                return Map.of();
            }
            List<String> names = view.list();
            if (names.isEmpty()) {
                return Map.of();
            }
            Map<String, byte[]> out = new TreeMap<>();
            for (String name : names) {
                ByteBuffer buf = ByteBuffer.allocate(view.size(name));
                view.read(name, buf);
                out.put("user." + name, buf.array());
            }
            return out;
        } catch (IOException | UnsupportedOperationException e) {
            // file system without user xattrs: none to record
            return Map.of();
        }
    }

    @Override
    public LayerEntry.Content content(Path path) {
        return new LayerEntry.FileContent(path);
    }
}
