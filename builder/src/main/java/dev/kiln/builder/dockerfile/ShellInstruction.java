package dev.kiln.builder.dockerfile;

import java.util.List;

/** {@code SHELL ["executable", "params"...]}: the shell for later shell-form commands. */
public record ShellInstruction(SourceRange range, String text, List<String> shell) implements Instruction {
    public ShellInstruction {
        shell = List.copyOf(shell);
    }
}
