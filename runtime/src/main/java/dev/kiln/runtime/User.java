package dev.kiln.runtime;

import java.util.List;

/** The numeric identity a container process runs as. */
public record User(int uid, int gid, List<Integer> groups) {
    public static final User ROOT = new User(0, 0, List.of());

    public User {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("negative uid or gid: " + uid + ":" + gid);
        }
        groups = List.copyOf(groups);
    }

    public static User of(int uid, int gid) {
        return new User(uid, gid, List.of());
    }
}
