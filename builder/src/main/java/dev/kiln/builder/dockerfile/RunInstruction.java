package dev.kiln.builder.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * {@code RUN [--mount=...]... [--network=default|none|host] [--security=sandbox|insecure] command},
 * with its heredocs. When the command is just a heredoc marker ({@code RUN <<EOF}), the heredoc body
 * is the script (see {@link #script()}).
 */
public record RunInstruction(
        SourceRange range,
        String text,
        Command command,
        List<Heredoc> heredocs,
        List<RunMount> mounts,
        Network network,
        Security security) implements Instruction {

    /** {@code --network}. */
    public enum Network { DEFAULT, NONE, HOST }

    /** {@code --security}. */
    public enum Security { SANDBOX, INSECURE }

    public RunInstruction {
        heredocs = List.copyOf(heredocs);
        mounts = List.copyOf(mounts);
        network = network == null ? Network.DEFAULT : network;
        security = security == null ? Security.SANDBOX : security;
    }

    /**
     * The heredoc that is the whole script, when the shell-form command is only its marker
     * ({@code RUN <<EOF} or {@code RUN <<-EOF}).
     */
    public Optional<Heredoc> script() {
        if (command.execForm() || heredocs.isEmpty()) {
            return Optional.empty();
        }
        Heredoc h = Heredocs.marker(Chars.trim(command.args().get(0)));
        return h != null && h.name().equals(heredocs.get(0).name()) ? Optional.of(heredocs.get(0)) : Optional.empty();
    }

    @Override
    public RunInstruction expand(WordExpander x) {
        return new RunInstruction(range, text, command, heredocs,
                mounts.stream().map(m -> m.expand(x)).toList(), network, security);
    }
}
