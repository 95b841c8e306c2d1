package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.GoQuote;
import java.time.Duration;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Go's {@code fmt} renderings that BuildKit writes into history entries: {@code %q} of a string
 * slice ({@code ["a" "b"]}), {@code %v} of a slice ({@code [a b]}), {@code time.Duration.String()}
 * and {@code %q} of an int (a rune literal).
 */
final class GoFormat {
    private GoFormat() {}

    /** {@code fmt.Sprintf("%q", []string{...})}. */
    static String quotedList(Collection<String> items) {
        return items.stream().map(GoQuote::quote).collect(Collectors.joining(" ", "[", "]"));
    }

    /** {@code fmt.Sprintf("%v", []string{...})}. */
    static String plainList(Collection<String> items) {
        return String.join(" ", items).transform(s -> "[" + s + "]");
    }

    /** {@code time.Duration.String()}: {@code 0s}, {@code 1.5s}, {@code 5m0s}, {@code 1h0m0s}, {@code 300ms}. */
    static String duration(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long n = Math.abs(nanos);
        if (n < 1_000_000_000L) {
            if (n < 1_000L) {
                return sign + n + "ns";
            }
            if (n < 1_000_000L) {
                return sign + fraction(n, 1_000L) + "µs";
            }
            return sign + fraction(n, 1_000_000L) + "ms";
        }
        long hours = n / 3_600_000_000_000L;
        long minutes = (n / 60_000_000_000L) % 60;
        long rest = n % 60_000_000_000L;
        StringBuilder sb = new StringBuilder(sign);
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        return sb.append(fraction(rest, 1_000_000_000L)).append('s').toString();
    }

    private static String fraction(long value, long unit) {
        long whole = value / unit;
        long frac = value % unit;
        if (frac == 0) {
            return Long.toString(whole);
        }
        String digits = Long.toString(unit + frac).substring(1).replaceAll("0+$", "");
        return whole + "." + digits;
    }

    /** {@code fmt.Sprintf("%q", n)} for an int: Go's quoted rune literal, e.g. {@code '\x03'}. */
    static String runeLiteral(int r) {
        return switch (r) {
            case 7 -> "'\\a'";
            case 8 -> "'\\b'";
            case 12 -> "'\\f'";
            case 10 -> "'\\n'";
            case 13 -> "'\\r'";
            case 9 -> "'\\t'";
            case 11 -> "'\\v'";
            case '\'' -> "'\\''";
            case '\\' -> "'\\\\'";
            default -> {
                if (r >= 0x20 && r < 0x7f) {
                    yield "'" + (char) r + "'";
                }
                if (r < 0x80) {
                    yield String.format("'\\x%02x'", r);
                }
                yield r < 0x10000 ? String.format("'\\u%04x'", r) : String.format("'\\U%08x'", r);
            }
        };
    }
}
