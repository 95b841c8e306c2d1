package dev.kiln.builder.dockerfile;

import java.math.BigDecimal;
import java.time.Duration;

/** Go's {@code time.ParseDuration} ({@code 300ms}, {@code 1.5h}, {@code 1m30s}), as HEALTHCHECK uses it. */
final class GoDuration {
    private GoDuration() {}

    /** The duration, or null when {@code s} is not one. */
    static Duration parse(String s) {
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        int i = 0;
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        if (i >= s.length()) {
            return null;
        }
        BigDecimal nanos = BigDecimal.ZERO;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                return null;
            }
            BigDecimal number;
            try {
                number = new BigDecimal(s.substring(start, i));
            } catch (NumberFormatException e) {
                return null;
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long scale = switch (s.substring(unitStart, i)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> -1L;
            };
            if (scale < 0) {
                return null;
            }
            nanos = nanos.add(number.multiply(BigDecimal.valueOf(scale)));
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
    }
}
