package dev.kiln.builder.cli;

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
                    + "${XDG_DATA_HOME:-~/.local/share}/kiln).")
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
        String xdg = System.getenv("XDG_DATA_HOME");
        Path data = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return data.resolve("kiln");
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
