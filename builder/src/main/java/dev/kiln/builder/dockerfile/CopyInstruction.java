package dev.kiln.builder.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * {@code COPY [--from=stage|index|image] [--chown=u:g] [--chmod=mode] [--link] [--parents]
 * [--exclude=pattern]... src... dest}.
 */
public record CopyInstruction(
        SourceRange range,
        String text,
        SourcesAndDest files,
        String from,
        String chown,
        String chmod,
        boolean link,
        boolean parents,
        List<String> excludes) implements Instruction {

    public CopyInstruction {
        excludes = List.copyOf(excludes);
    }

    public Optional<String> fromFlag() {
        return Optional.ofNullable(from);
    }

    @Override
    public CopyInstruction expand(WordExpander x) {
        return new CopyInstruction(range, text, files.expand(x), from == null ? null : x.word(from),
                chown == null ? null : x.word(chown), chmod == null ? null : x.word(chmod), link, parents,
                x.each(excludes));
    }
}
