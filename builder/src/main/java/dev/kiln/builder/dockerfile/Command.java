package dev.kiln.builder.dockerfile;

import java.util.List;

/**
 * The command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD: either the exec form (a JSON array, run
 * as is) or the shell form (one string, run through the stage's SHELL).
 */
public record Command(List<String> args, boolean execForm) {

    public Command {
        args = List.copyOf(args);
        if (!execForm && args.size() != 1) {
            throw new IllegalArgumentException("a shell-form command is one string");
        }
    }

    public static Command shell(String script) {
        return new Command(List.of(script), false);
    }

    public static Command exec(List<String> argv) {
        return new Command(argv, true);
    }

    /** The argv to run: exec form as is, shell form appended to {@code shell} (e.g. /bin/sh -c). */
    public List<String> argv(List<String> shell) {
        if (execForm) {
            return args;
        }
        return java.util.stream.Stream.concat(shell.stream(), args.stream()).toList();
    }
}
