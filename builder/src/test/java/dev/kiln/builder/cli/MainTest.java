package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    /** Every command path below the root, e.g. ["system", "prune"]. */
    private static List<List<String>> commandPaths(CommandLine cl, List<String> prefix) {
        List<List<String>> paths = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (!e.getKey().equals(e.getValue().getCommandName())) {
                continue; // an alias such as "bud"
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            paths.add(path);
            paths.addAll(commandPaths(e.getValue(), path));
        }
        return paths;
    }

    private static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private record Result(int code, String out, String err) {}

    @Test
    void help_everySubcommand_printsItsUsageAndExitsZero() {
        List<List<String>> paths = commandPaths(Main.commandLine(), List.of());
        assertThat(paths).extracting(p -> String.join(" ", p))
                .contains("build", "rmi", "run", "system prune", "unshare");
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Result r = run(args.toArray(String[]::new));
            assertThat(r.code()).as("exit code of kiln %s --help (stderr: %s)", path, r.err()).isZero();
            assertThat(r.out()).as("usage of kiln %s", path)
                    .contains("Usage: kiln " + String.join(" ", path));
        }
    }

    @Test
    void help_afterRunsImage_belongsToTheContainer() {
        // `kiln run IMAGE sh --help` must not print kiln's help: the arguments are the container's
        CommandLine cl = Main.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs("run", "busybox", "sh", "--help");
        assertThat(parsed.subcommand().isUsageHelpRequested()).isFalse();
    }
}
