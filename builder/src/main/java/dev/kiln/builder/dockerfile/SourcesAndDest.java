package dev.kiln.builder.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * The paths of ADD or COPY: sources as written and the destination. A source written as a heredoc
 * marker ({@code <<EOF}) stands for the inline file in {@link #heredocs()}.
 */
public record SourcesAndDest(List<String> sources, String dest, List<Heredoc> heredocs) {

    public SourcesAndDest {
        sources = List.copyOf(sources);
        heredocs = List.copyOf(heredocs);
    }

    /** The inline file a source stands for, if it is a heredoc marker. */
    public Optional<Heredoc> heredocFor(String source) {
        Heredoc marker = Heredocs.marker(source);
        if (marker == null) {
            return Optional.empty();
        }
        return heredocs.stream().filter(h -> h.name().equals(marker.name())).findFirst();
    }

    SourcesAndDest expand(WordExpander x) {
        List<String> src = sources.stream().map(s -> heredocFor(s).isPresent() ? s : x.word(s)).toList();
        List<Heredoc> docs = heredocs.stream()
                .map(h -> h.expand() ? h.withContent(x.heredoc(h.content())) : h)
                .toList();
        return new SourcesAndDest(src, x.word(dest), docs);
    }
}
