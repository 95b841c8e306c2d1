package dev.kiln.builder.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Sizes and ages the way {@code docker images} prints them. */
public final class Sizes {
    private Sizes() {}

    /** Decimal units with three significant digits: {@code 4.26MB}, {@code 129kB}. */
    public static String human(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        if (u == 0) {
            return bytes + "B";
        }
        String num = v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
        return num + units[u];
    }

    /** {@code 3 days ago}, {@code About an hour ago}; "N/A" when unknown. */
    static String age(String created, Instant now) {
        if (created == null) {
            return "N/A";
        }
        Instant then;
        try {
            then = OffsetDateTime.parse(created).toInstant();
        } catch (DateTimeParseException e) {
            return "N/A";
        }
        Duration d = Duration.between(then, now);
        if (d.isNegative() || d.toSeconds() < 1) {
            return "Less than a second ago";
        }
        long s = d.toSeconds();
        if (s < 60) {
            return s + " seconds ago";
        }
        if (s < 3600) {
            long m = s / 60;
            return m == 1 ? "About a minute ago" : m + " minutes ago";
        }
        if (s < 86400 * 2) {
            long h = s / 3600;
            return h == 1 ? "About an hour ago" : h + " hours ago";
        }
        if (s < 86400 * 14) {
            return s / 86400 + " days ago";
        }
        if (s < 86400L * 60) {
            return s / (86400 * 7) + " weeks ago";
        }
        if (s < 86400L * 365 * 2) {
            return s / (86400L * 30) + " months ago";
        }
        return s / (86400L * 365) + " years ago";
    }
}
