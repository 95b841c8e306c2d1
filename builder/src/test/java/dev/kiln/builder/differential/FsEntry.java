package dev.kiln.builder.differential;

import java.util.List;

/**
 * One path of an image's merged root filesystem, as its layers' tar headers say: what the
 * differential tests compare file by file.
 *
 * @param mode permission bits with setuid, setgid and sticky ({@code 07777})
 * @param digest {@code sha256:…} of a regular file's bytes, else null
 * @param linkTarget a symlink's target, else null
 * @param mtime seconds since the epoch
 * @param hardlinks every path sharing this file's inode (sorted, itself included) when there are
 *     several, else an empty list
 */
record FsEntry(String path, Type type, int mode, long uid, long gid, long size, String digest, String linkTarget,
        long mtime, List<String> hardlinks) {

    /** The kinds of tar entries an image holds once hardlinks are resolved. */
    enum Type { FILE, DIR, SYMLINK, CHAR, BLOCK, FIFO }

    FsEntry {
        hardlinks = List.copyOf(hardlinks);
    }

    /** A directory, for hand-made trees. */
    static FsEntry dir(String path, int mode, long uid, long gid) {
        return new FsEntry(path, Type.DIR, mode, uid, gid, 0, null, null, 0, List.of());
    }

    /** A regular file, for hand-made trees. */
    static FsEntry file(String path, int mode, long uid, long gid, String digest, long size) {
        return new FsEntry(path, Type.FILE, mode, uid, gid, size, digest, null, 0, List.of());
    }

    /** A symlink, for hand-made trees. */
    static FsEntry symlink(String path, String target) {
        return new FsEntry(path, Type.SYMLINK, 0777, 0, 0, 0, null, target, 0, List.of());
    }

    FsEntry withMode(int newMode) {
        return new FsEntry(path, type, newMode, uid, gid, size, digest, linkTarget, mtime, hardlinks);
    }

    FsEntry withOwner(long newUid, long newGid) {
        return new FsEntry(path, type, mode, newUid, newGid, size, digest, linkTarget, mtime, hardlinks);
    }

    FsEntry withMtime(long newMtime) {
        return new FsEntry(path, type, mode, uid, gid, size, digest, linkTarget, newMtime, hardlinks);
    }

    FsEntry withPath(String newPath) {
        return new FsEntry(newPath, type, mode, uid, gid, size, digest, linkTarget, mtime, hardlinks);
    }

    FsEntry withHardlinks(List<String> group) {
        return new FsEntry(path, type, mode, uid, gid, size, digest, linkTarget, mtime, group);
    }
}
