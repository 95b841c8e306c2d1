package dev.kiln.builder.engine.run;

import dev.kiln.builder.dockerfile.RunInstruction;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.runtime.Mount;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * One RUN to execute: over the image's layers so far (base first; their blobs are in the store),
 * with its changes landing in {@code upperDir} (in overlay format: whiteouts and opaque dirs as
 * oci-spec's {@code OverlayMarkers} says).
 *
 * @param user       the stage's USER as written ({@code name}, {@code uid}, {@code uid:gid}; empty = root),
 *                   resolved by the executor through the image's {@code /etc/passwd} and {@code /etc/group}
 * @param workingDir absolute; created when missing
 * @param output     receives each line the command prints (stdout and stderr)
 * @param files      host files to bind read-only at container paths (a shebang heredoc's script)
 * @param mounts     the RUN's {@code --mount}s, host side ready, parents before children
 */
public record RunRequest(
        List<LayerBlob> layers,
        Path upperDir,
        List<String> argv,
        List<String> env,
        String user,
        String workingDir,
        RunInstruction.Network network,
        Consumer<String> output,
        java.util.Map<String, Path> files,
        List<Mount> mounts) {

    public RunRequest {
        layers = List.copyOf(layers);
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        user = user == null ? "" : user;
        workingDir = workingDir == null || workingDir.isEmpty() ? "/" : workingDir;
        files = files == null ? java.util.Map.of() : java.util.Map.copyOf(files);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }
}
