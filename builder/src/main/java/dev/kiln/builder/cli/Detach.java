package dev.kiln.builder.cli;

import dev.kiln.oci.KilnException;
import dev.kiln.runtime.Userns;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kiln run -d}: starts the same {@code kiln run} again in its own session, in the
 * background, with the container id fixed and its output going to the container's {@code log};
 * that process supervises the container (and is what {@code kiln stop} signals).
 */
final class Detach {
    private Detach() {}

    static int start(List<String> originalArgs, PrintWriter out) {
        String id = ContainerState.newId();
        Path dir = ContainerState.dir(id);
        List<String> args = new ArrayList<>();
        for (String a : originalArgs) {
            if (a.equals("-d") || a.equals("--detach")) {
                continue;
            }
            if (a.matches("-[a-zA-Z]*d[a-zA-Z]*") && !a.startsWith("--")) {
                a = a.replace("d", "");
                if (a.equals("-")) {
                    continue;
                }
            }
            args.add(a);
        }
        int run = args.indexOf("run");
        args.add(run + 1, "--cid=" + id);
        List<String> cmd = new ArrayList<>(List.of("setsid"));
        cmd.addAll(Userns.relaunchCommand(args.toArray(new String[0])));
        try {
            Files.createDirectories(dir);
            Path log = ContainerState.log(dir);
            new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new KilnException("cannot start the detached container: " + e.getMessage(),
                    "check that setsid (util-linux) is installed", e);
        }
        out.println(id);
        out.flush();
        return Main.EXIT_OK;
    }
}
