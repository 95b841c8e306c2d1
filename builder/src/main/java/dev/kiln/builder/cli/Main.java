package dev.kiln.builder.cli;

import dev.kiln.oci.KilnException;
import dev.kiln.runtime.Sandbox;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kiln} root command. Subcommands are small {@code Callable<Integer>} classes, one per
 * file, registered in {@link #SUBCOMMANDS}.
 */
@Command(
        name = "kiln",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT, // every subcommand takes -h/--help and -V/--version
        versionProvider = VersionProvider.class,
        description = "Build, move and run OCI container images with no daemon and no root.",
        footer = {"", "Run 'kiln COMMAND --help' for more on a command."})
public final class Main implements Runnable {

    /** Exit codes, as documented in the README. */
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_USAGE = 2;

    /** Every subcommand, in the order {@code kiln --help} lists them. */
    static final Object[] SUBCOMMANDS = {
        // Each subcommand class is added here as it lands.
        BuildCommand.class,
        PullCommand.class,
        PushCommand.class,
        ImagesCommand.class,
        TagCommand.class,
        RmiCommand.class,
        SystemCommand.class,
        SaveCommand.class,
        LoadCommand.class,
        CopyCommand.class,
        InspectCommand.class,
        LoginCommand.class,
        LogoutCommand.class,
        CheckCommand.class,
        RunCommand.class,
        PsCommand.class,
        StopCommand.class,
        RmCommand.class,
        LogsCommand.class,
        UnshareCommand.class,
        InfoCommand.class,
    };

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The whole command line, every subcommand registered. */
    public static CommandLine commandLine() {
        return commandLine(SUBCOMMANDS);
    }

    /**
     * The command line {@code args} need: picocli reflects over a subcommand's fields, options and
     * mixins when it is registered, which for all of them took longer than the JVM's own start
     * (docs/performance.md), so only the one {@code args} name is registered. Everything else (no
     * subcommand, an unknown one, help) gets the whole command line; {@code --version} alone none.
     */
    static CommandLine commandLine(String[] args) {
        return commandLine(subcommandsFor(args));
    }

    private static CommandLine commandLine(Object[] subcommands) {
        CommandLine cl = new CommandLine(new Main());
        for (Object sub : subcommands) {
            cl.addSubcommand(sub);
        }
        cl.setExecutionExceptionHandler(Main::handleException);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // `kiln run IMAGE CMD -c …`: everything after the image belongs to the container
        for (String name : new String[] {"run", "unshare"}) {
            CommandLine sub = cl.getSubcommands().get(name);
            if (sub != null) {
                sub.setStopAtPositional(true);
            }
        }
        return cl;
    }

    /** The subcommands {@code args} may reach (the root's only options are help and version). */
    static Object[] subcommandsFor(String[] args) {
        if (args.length == 0) {
            return SUBCOMMANDS;
        }
        if (!args[0].startsWith("-")) {
            for (Object sub : SUBCOMMANDS) {
                Command c = ((Class<?>) sub).getAnnotation(Command.class);
                if (c.name().equals(args[0]) || java.util.Arrays.asList(c.aliases()).contains(args[0])) {
                    return new Object[] {sub};
                }
            }
            return SUBCOMMANDS;
        }
        for (String a : args) {
            if (!a.equals("-V") && !a.equals("--version")) {
                return SUBCOMMANDS;
            }
        }
        return new Object[0];
    }

    public static void main(String[] args) {
        DebugLogging.enableIfRequested(args);
        if (RunCommand.entersBeforeParsing(args)) {
            try {
                System.exit(UserNamespace.enterBeforeParsing(args).orElseThrow());
            } catch (RuntimeException e) {
                System.exit(handleException(e, commandLine(args), null));
            }
        }
        int code;
        // the kiln inside the user namespace: a spawner it is sure to need starts before parsing
        try (Sandbox.Starting sandbox = UserNamespace.startSandboxBeforeParsing(args)) {
            CommandLine cl = commandLine(args, sandbox);
            code = cl.execute(args);
            if (code == EXIT_OK) {
                VersionCache.recordIfAsked(cl, args, System.getProperty(VersionCache.PROPERTY));
            }
        }
        System.exit(code);
    }

    /** {@link #commandLine(String[])}, whose build or run command takes {@code sandbox} (null: none). */
    private static CommandLine commandLine(String[] args, Sandbox.Starting sandbox) {
        CommandLine cl = commandLine(args);
        if (sandbox != null) {
            for (CommandLine sub : cl.getSubcommands().values()) {
                if (sub.getCommand() instanceof BuildCommand build) {
                    build.startedSandbox = sandbox;
                } else if (sub.getCommand() instanceof RunCommand run) {
                    run.startedSandbox = sandbox;
                }
            }
        }
        return cl;
    }

    private static int handleException(
            Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        boolean debug = GlobalOptions.debugRequested(parseResult);
        if (e instanceof KilnException ke) {
            err.println("Error: " + ErrorText.of(ke));
            ke.hint().ifPresent(h -> err.println("Hint: " + h));
            if (debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return ke instanceof ExitCodeCarrier c ? c.exitCode() : EXIT_ERROR;
        }
        if (ErrorText.isIoProblem(e)) {
            err.println("Error: " + ErrorText.of(e));
            if (debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return EXIT_ERROR;
        }
        err.println("Error: internal error: " + e);
        if (debug) {
            e.printStackTrace(err);
        } else {
            err.println("Run again with --debug for the stack trace.");
        }
        err.flush();
        return EXIT_ERROR;
    }

    /** An exception that decides the process exit code itself (e.g. a RUN's status). */
    public interface ExitCodeCarrier {
        int exitCode();
    }
}
