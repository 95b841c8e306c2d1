package dev.kiln.builder.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the kiln command line in this JVM, capturing what it prints. */
final class InProcessKiln {

    /** The exit code and everything printed to stdout and stderr. */
    record Run(int exit, String out, String err) {}

    private InProcessKiln() {}

    /** Runs {@code args} on the command line {@code kiln} itself builds for them. */
    static Run run(String... args) {
        CommandLine cl = Main.commandLine(args);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
