package dev.kiln.builder.cli;

import dev.kiln.builder.snapshot.ProcessIds;
import dev.kiln.runtime.Isolation;
import dev.kiln.runtime.Sandbox;
import dev.kiln.runtime.Userns;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The one place a command enters kiln's user namespace: a command that needs it (RUN steps and
 * containers, or files that subordinate ids own) includes {@code @Mixin UserNamespace userns;} and,
 * where it must be inside, returns the outer exit code:
 * <pre>{@code
 * OptionalInt outer = userns.enter(isolation);
 * if (outer.isPresent()) {
 *     return outer.getAsInt();
 * }
 * }</pre>
 * The kiln inside runs the same command line again ({@link Userns#ensureInside} decides whether
 * that is needed: not when already inside, when root, or for chroot as root).
 */
@Command // a mixin without options of its own
final class UserNamespace {
    private static final System.Logger LOG = System.getLogger(UserNamespace.class.getName());

    @Spec(Spec.Target.MIXEE) CommandSpec command;

    /**
     * The exit code of the kiln that ran this command line inside the namespace, or empty when
     * this process goes on (it is inside, or needs no namespace).
     *
     * @param extraArgs appended to the command line the inner kiln gets (e.g. {@code --force} once confirmed outside)
     */
    OptionalInt enter(Isolation isolation, String... extraArgs) {
        List<String> args = new ArrayList<>(command.root().commandLine().getParseResult().originalArgs());
        args.addAll(List.of(extraArgs));
        return Userns.ensureInside(args.toArray(String[]::new), isolation);
    }

    /**
     * {@link #enter} for a command line picocli has not parsed (see
     * {@link RunCommand#entersBeforeParsing}): the exit code of the kiln that ran {@code args} inside.
     */
    static OptionalInt enterBeforeParsing(String[] args) {
        return Userns.ensureInside(args, Isolation.AUTO);
    }

    /**
     * For the kiln that {@link #enter} started inside the namespace: a sandbox whose spawner JVM
     * starts now, before picocli parses {@code args}, when they are sure to run containers (a
     * plain {@code kiln run}, {@link RunCommand#isPlainRun}, or a build the outer kiln re-executed
     * because it runs them, {@link BuildCommand#runsContainersInside}); else null. The spawner's
     * start-up then overlaps the parsing and the command's work before its first container, where
     * it used to start after them. The caller closes it (which stops it unless the command took
     * it). Anything unexpected leaves the spawner to the command, which reports what it meets.
     */
    static Sandbox.Starting startSandboxBeforeParsing(String[] args) {
        if (System.getenv(Userns.MARKER) == null || !(RunCommand.isPlainRun(args)
                || BuildCommand.runsContainersInside(args)) || !ProcessIds.isRoot()) {
            return null;
        }
        try {
            Sandbox.Starting sandbox = Sandbox.starting();
            LOG.log(System.Logger.Level.DEBUG, "spawner started before parsing the command line");
            return sandbox;
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "no spawner started before parsing: {0}", e.toString());
            return null;
        }
    }

    /** Whether this process is inside kiln's user namespace already, or real root. */
    static boolean insideOrRoot() {
        return System.getenv(Userns.MARKER) != null || ProcessIds.isRoot();
    }

    /**
     * {@link #enter} for deleting what containers and RUN steps wrote, which subordinate ids may
     * own: real root deletes anyone's files and stays outside.
     */
    OptionalInt enterToDelete(String... extraArgs) {
        return ProcessIds.isRoot() ? OptionalInt.empty() : enter(Isolation.AUTO, extraArgs);
    }

    /** Whether this process is the kiln that {@link #enter} started inside the namespace. */
    boolean inside() {
        return System.getenv(Userns.MARKER) != null;
    }

    /** Whether {@link #enter} would re-execute kiln. */
    boolean needed(Isolation isolation) {
        return Userns.needed(isolation);
    }
}
