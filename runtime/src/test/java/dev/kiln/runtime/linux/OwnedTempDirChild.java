package dev.kiln.runtime.linux;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Another kiln, for {@link OwnedTempDirTest}: {@code hold PARENT PREFIX} makes an {@link
 * OwnedTempDir}, prints its path and waits (to be killed); {@code sweep PARENT PREFIX} sweeps and
 * prints how many directories it removed.
 */
public final class OwnedTempDirChild {
    private OwnedTempDirChild() {}

    public static void main(String[] args) throws IOException {
        Path parent = Path.of(args[1]);
        if (args[0].equals("hold")) {
            OwnedTempDir dir = OwnedTempDir.create(parent, args[2]);
            System.out.println(dir.dir());
            System.out.flush();
            System.in.read(); // until killed (or stdin closes)
        } else {
            System.out.println(OwnedTempDir.sweep(parent, args[2]));
        }
    }
}
