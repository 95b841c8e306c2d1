package dev.kiln.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code EXPOSE 80 80/tcp 8000-8010/udp}. */
public record ExposeInstruction(SourceRange range, String text, List<String> ports) implements Instruction {

    /** A port or port range with its protocol ({@code tcp} unless given). */
    public record PortSpec(int first, int last, String protocol) {
        public PortSpec {
            if (first < 1 || last > 65535 || last < first) {
                throw new IllegalArgumentException("bad port range " + first + "-" + last);
            }
        }

        /** The config key(s) this spec exposes, e.g. {@code 80/tcp}. */
        public List<String> keys() {
            List<String> out = new ArrayList<>();
            for (int p = first; p <= last; p++) {
                out.add(p + "/" + protocol);
            }
            return out;
        }
    }

    public ExposeInstruction {
        ports = List.copyOf(ports);
    }

    /**
     * The ports parsed ({@code 80}, {@code 80/tcp}, {@code 8000-8010/udp}); call after
     * {@link #expand(WordExpander)} when they contain variables.
     *
     * @throws DockerfileException naming the bad port
     */
    public List<PortSpec> portSpecs() {
        List<PortSpec> out = new ArrayList<>();
        for (String p : ports) {
            out.add(parse(p, range));
        }
        return out;
    }

    static PortSpec parse(String spec, SourceRange range) {
        String port = spec;
        String proto = "tcp";
        int slash = spec.indexOf('/');
        if (slash >= 0) {
            port = spec.substring(0, slash);
            proto = spec.substring(slash + 1).toLowerCase(Locale.ROOT);
            if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
                throw new DockerfileException(range, "invalid protocol `" + spec.substring(slash + 1)
                        + "` in EXPOSE " + spec, "use tcp, udp or sctp");
            }
        }
        try {
            int dash = port.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? port : port.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(port.substring(dash + 1));
            return new PortSpec(first, last, proto);
        } catch (IllegalArgumentException e) {
            throw new DockerfileException(range, "invalid port `" + spec + "` in EXPOSE",
                    "EXPOSE takes PORT, PORT/PROTO or FIRST-LAST/PROTO with ports 1-65535");
        }
    }

    @Override
    public ExposeInstruction expand(WordExpander x) {
        List<String> out = new ArrayList<>();
        for (String p : ports) {
            out.addAll(x.words(p));
        }
        return new ExposeInstruction(range, text, out);
    }
}
