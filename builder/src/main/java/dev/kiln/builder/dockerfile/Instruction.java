package dev.kiln.builder.dockerfile;

/**
 * One typed Dockerfile instruction, as the build engine consumes it. Every instruction carries its
 * source range and its original text. Arguments are kept as written; {@link #expand(WordExpander)}
 * returns a copy with the arguments that BuildKit expands (ADD, COPY, ENV, EXPOSE, FROM, LABEL,
 * STOPSIGNAL, USER, VOLUME, WORKDIR, ARG defaults, file and mount flags) expanded. RUN, CMD,
 * ENTRYPOINT, SHELL and HEALTHCHECK commands are left to the shell.
 */
public sealed interface Instruction
        permits FromInstruction, RunInstruction, CmdInstruction, EntrypointInstruction, ShellInstruction,
                LabelInstruction, MaintainerInstruction, ExposeInstruction, EnvInstruction, AddInstruction,
                CopyInstruction, VolumeInstruction, UserInstruction, WorkdirInstruction, ArgInstruction,
                OnbuildInstruction, StopSignalInstruction, HealthcheckInstruction {

    SourceRange range();

    /** The logical line as written (continuations joined), e.g. for history and messages. */
    String text();

    /** The upper-case keyword, e.g. {@code COPY}. */
    default String keyword() {
        String n = getClass().getSimpleName();
        return n.substring(0, n.length() - "Instruction".length()).toUpperCase(java.util.Locale.ROOT);
    }

    /** A copy with the words BuildKit expands expanded by {@code x}; this instance if none. */
    default Instruction expand(WordExpander x) {
        return this;
    }

    /**
     * {@link #expand(WordExpander)} with expansion errors (bad syntax, {@code ${v?msg}}) located at
     * this instruction, the way the engine should call it.
     *
     * @throws DockerfileException with this instruction's file:line:column
     */
    default Instruction expandAt(WordExpander x) {
        try {
            return expand(x);
        } catch (DockerfileException e) {
            throw e.at(range());
        }
    }
}
