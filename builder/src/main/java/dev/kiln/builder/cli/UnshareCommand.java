package dev.kiln.builder.cli;

import dev.kiln.runtime.Isolation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "unshare",
        description = {"Run a command in kiln's user namespace, as builds run (like buildah unshare).",
            "The id mapping is the one builds use: uid 0 is you, 1..65536 your subordinate ids; e.g. to",
            "read or remove store files that RUN steps gave other owners. $KILN_ROOT is set to the store."},
        footer = {"", "Examples:", "  kiln unshare id -u", "  kiln unshare rm -rf ~/.local/share/kiln",
            "", "The exit status is the command's."})
final class UnshareCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin UserNamespace userns;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "Command and arguments (default: $SHELL).")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        OptionalInt outer = userns.enter(Isolation.AUTO);
        if (outer.isPresent()) {
            return outer.getAsInt();
        }
        List<String> argv = new ArrayList<>(command);
        if (argv.isEmpty()) {
            String shell = System.getenv("SHELL");
            argv.add(shell != null && !shell.isBlank() ? shell : "/bin/sh");
        }
        // Ctrl+C belongs to the command (a shell handles it itself); kiln only waits. A handler,
        // not SIG_IGN, so that the command starts with the default disposition.
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> { });
        ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
        pb.environment().put("KILN_ROOT", global.storeRoot().toAbsolutePath().toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            global.err().println("Error: cannot run " + argv.get(0) + ": " + e.getMessage());
            return 127;
        }
        return p.waitFor();
    }
}
