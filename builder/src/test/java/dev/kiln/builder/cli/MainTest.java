package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;

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


    @Test
    void help_everySubcommand_printsItsUsageAndExitsZero() {
        List<List<String>> paths = commandPaths(Main.commandLine(), List.of());
        assertThat(paths).extracting(p -> String.join(" ", p))
                .contains("build", "rmi", "run", "system prune", "unshare");
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            InProcessKiln.Run r = InProcessKiln.run(args.toArray(String[]::new));
            assertThat(r.exit()).as("exit code of kiln %s --help (stderr: %s)", path, r.err()).isZero();
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

    @Test
    void subcommandsFor_registersOnlyTheNamedSubcommand() {
        assertThat(Main.subcommandsFor(new String[] {"images", "--root", "/x"})).containsExactly(ImagesCommand.class);
        assertThat(Main.subcommandsFor(new String[] {"bud", "."})).as("an alias").containsExactly(BuildCommand.class);
        assertThat(Main.subcommandsFor(new String[] {"system", "prune"})).containsExactly(SystemCommand.class);
        assertThat(Main.subcommandsFor(new String[] {"--version"})).isEmpty();
        assertThat(Main.subcommandsFor(new String[] {"-V"})).isEmpty();
        for (String[] all : new String[][] {{}, {"--help"}, {"--version", "--help"}, {"imagez"}, {"--bogus"}}) {
            assertThat(Main.subcommandsFor(all)).as("kiln %s", List.of(all)).isEqualTo(Main.SUBCOMMANDS);
        }
    }

    @Test
    void lazyCommandLine_printsWhatTheWholeOnePrints() {
        for (String[] args : new String[][] {{"--version"}, {"imagez"}, {"--help"}, {"images", "--bogus"},
            {"run", "busybox", "sh", "--help", "--bogus"}}) {
            InProcessKiln.Run lazy = InProcessKiln.run(args);
            CommandLine whole = Main.commandLine();
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            whole.setOut(new java.io.PrintWriter(out, true));
            whole.setErr(new java.io.PrintWriter(err, true));
            if (args[0].equals("run")) {
                // parse only: running would look for the image
                assertThat(Main.commandLine(args).parseArgs(args).subcommand().matchedPositionals())
                        .hasSameSizeAs(whole.parseArgs(args).subcommand().matchedPositionals());
                continue;
            }
            int exit = whole.execute(args);
            assertThat(lazy.exit()).as("exit of kiln %s", List.of(args)).isEqualTo(exit);
            assertThat(lazy.out()).as("stdout of kiln %s", List.of(args)).isEqualTo(out.toString());
            assertThat(lazy.err()).as("stderr of kiln %s", List.of(args)).isEqualTo(err.toString());
        }
        assertThat(InProcessKiln.run("imagez").err()).contains("Did you mean", "images");
    }

    @Test
    void runReexecutesBeforeParsing_onlyWithoutWhatTheOuterKilnDoesItself() {
        assertThat(RunCommand.isPlainRun(new String[] {"run", "--rm", "busybox", "true"})).isTrue();
        assertThat(RunCommand.isPlainRun(new String[] {"run", "-it", "-e", "A=1", "-p", "8080:80", "busybox", "sh", "-c", "x"}))
                .isTrue();
        for (String[] outer : List.of(
                new String[] {"run", "-d", "busybox"},
                new String[] {"run", "-dit", "busybox", "sh"},
                new String[] {"run", "-itd", "busybox", "sh"},
                new String[] {"run", "--detach", "busybox"},
                new String[] {"run", "--detach=true", "busybox"},
                new String[] {"run", "--isolation", "chroot", "busybox"},
                new String[] {"run", "--isolation=CHROOT", "busybox"},
                new String[] {"run", "--debug", "busybox"},
                new String[] {"run", "-h"},
                new String[] {"run", "--help"},
                new String[] {"run", "-V"},
                new String[] {"run", "--version"},
                new String[] {"run", "@args.txt"},
                new String[] {"run"},
                new String[] {"build", "."})) {
            assertThat(RunCommand.isPlainRun(outer)).as(String.join(" ", outer)).isFalse();
        }
        // the container's own arguments count too: such a run only takes the usual way
        assertThat(RunCommand.isPlainRun(new String[] {"run", "busybox", "ls", "-d", "/"})).isFalse();
    }

    @Test
    void buildRunsContainersInside_unlessItsInputMayNeedNone() {
        assertThat(BuildCommand.runsContainersInside(new String[] {"build", "-t", "app", "."})).isTrue();
        assertThat(BuildCommand.runsContainersInside(new String[] {"bud", "--build-arg", "A=1", "-f", "ctx/Dockerfile",
            "ctx"})).isTrue();
        for (String[] maybeNone : List.of(
                new String[] {"build", "-"},
                new String[] {"build", "-f", "-", "."},
                new String[] {"build", "-f-", "."},
                new String[] {"build", "--file=-", "."},
                new String[] {"build", "https://example.com/ctx.tar"},
                new String[] {"build", "git@example.com:repo.git"},
                new String[] {"build", "github.com/example/repo"},
                new String[] {"build", "@args.txt"},
                new String[] {"build", "--help"},
                new String[] {"build", "-V"},
                new String[] {"run", "busybox"},
                new String[] {"images"},
                new String[0])) {
            assertThat(BuildCommand.runsContainersInside(maybeNone)).as(String.join(" ", maybeNone)).isFalse();
        }
    }
}
