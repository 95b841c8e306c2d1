package dev.kiln.builder.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's effective uid and gid, read once from {@code /proc/self/status}. */
public final class ProcessIds {
    private static final int[] IDS = read();

    private ProcessIds() {}

    public static int uid() {
        return IDS[0];
    }

    public static int gid() {
        return IDS[1];
    }

    /** True when kiln runs as uid 0 (really, or inside its user namespace). */
    public static boolean isRoot() {
        return IDS[0] == 0;
    }

    private static int[] read() {
        int[] ids = {-1, -1};
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                // "Uid:\treal\teffective\tsaved\tfs"
                if (line.startsWith("Uid:")) {
                    ids[0] = Integer.parseInt(line.split("\\s+")[2]);
                } else if (line.startsWith("Gid:")) {
                    ids[1] = Integer.parseInt(line.split("\\s+")[2]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: owners stay as the disk says
        }
        return ids;
    }
}
