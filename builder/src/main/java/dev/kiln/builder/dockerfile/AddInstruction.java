package dev.kiln.builder.dockerfile;

import java.util.List;

/**
 * {@code ADD [--chown=u:g] [--chmod=mode] [--link] [--checksum=sha256:...] [--keep-git-dir]
 * [--exclude=pattern]... [--unpack[=bool]] src... dest}. {@code unpack} is null when not given
 * (then local archives are unpacked and URLs are not).
 */
public record AddInstruction(
        SourceRange range,
        String text,
        SourcesAndDest files,
        String chown,
        String chmod,
        boolean link,
        String checksum,
        boolean keepGitDir,
        List<String> excludes,
        Boolean unpack) implements Instruction {

    public AddInstruction {
        excludes = List.copyOf(excludes);
    }

    @Override
    public AddInstruction expand(WordExpander x) {
        return new AddInstruction(range, text, files.expand(x), chown == null ? null : x.word(chown),
                chmod == null ? null : x.word(chmod), link, checksum == null ? null : x.word(checksum), keepGitDir,
                x.each(excludes), unpack);
    }
}
