package dev.kiln.builder.cli;

import dev.kiln.oci.KilnException;
import dev.kiln.runtime.UserDirs;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Flags every subcommand takes, and where it prints ({@link #out}, {@link #err}); include with
 * {@code @Mixin GlobalOptions global;}.
 */
public final class GlobalOptions {
    @Spec(Spec.Target.MIXEE) CommandSpec command;

    @Option(names = "--debug", description = "Print debug logs and stack traces.")
    public boolean debug;

    @Option(
            names = "--root",
            paramLabel = "DIR",
            description = "Where kiln keeps images and blobs (default: $KILN_ROOT, else "
                    + "${XDG_DATA_HOME:-$HOME/.local/share}/kiln).")
    public Path root;

    /** Where the command prints its results (picocli's, so tests can capture it). */
    PrintWriter out() {
        return command.commandLine().getOut();
    }

    /** Where the command prints progress, notes and errors. */
    PrintWriter err() {
        return command.commandLine().getErr();
    }

    /** The store root this invocation uses. */
    public Path storeRoot() {
        if (root != null) {
            return root;
        }
        String env = System.getenv("KILN_ROOT");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return UserDirs.dataHome().map(data -> data.resolve("kiln")).orElseThrow(() -> new KilnException(
                "no directory for kiln's store: HOME is not set to an absolute path and this user has no "
                        + "home directory in the passwd database",
                "set HOME (or XDG_DATA_HOME), KILN_ROOT, or pass --root DIR", null));
    }

    static boolean debugRequested(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }
}
