package dev.kiln.runtime.linux;

import java.io.IOException;
import java.nio.file.Path;

/** A kiln for {@link SpawnerDirTest}: launches a spawner (FIFOs in {@code args[0]}), says so, and waits to be killed. */
public final class SpawnerLaunchChild {
    private SpawnerLaunchChild() {}

    public static void main(String[] args) throws IOException {
        Spawner.launch(System.getProperty("java.class.path"), Path.of(args[0]));
        System.out.println("launched");
        System.out.flush();
        System.in.read();
    }
}
