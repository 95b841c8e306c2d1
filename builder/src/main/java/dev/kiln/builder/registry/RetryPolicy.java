package dev.kiln.builder.registry;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how long to wait before trying a request again: exponential backoff with full
 * jitter, or the server's {@code Retry-After} when it sends one, never longer than
 * {@code maxDelay}.
 *
 * @param maxAttempts attempts in total, including the first
 * @param baseDelay the delay before the second attempt (before jitter)
 * @param maxDelay the longest single wait, also the cap on {@code Retry-After}
 * @param sleeper how to wait (tests record instead of sleeping)
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Sleeper sleeper) {

    /** Waits; replaced in tests. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public static RetryPolicy standard() {
        return new RetryPolicy(6, Duration.ofMillis(250), Duration.ofSeconds(30),
                d -> Thread.sleep(d.toMillis()));
    }

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    public RetryPolicy withSleeper(Sleeper s) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, s);
    }

    /**
     * The wait before attempt {@code attempt + 1}, where {@code attempt} counts from 1.
     *
     * @param retryAfter the response's {@code Retry-After} header, or null
     */
    public Duration delay(int attempt, String retryAfter) {
        Duration server = parseRetryAfter(retryAfter);
        if (server != null) {
            return server.compareTo(maxDelay) > 0 ? maxDelay : server;
        }
        long cap = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt - 1, 20));
        long jittered = cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
        return Duration.ofMillis(jittered);
    }

    void pause(Duration d) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting to retry", null);
        }
    }

    /** Seconds or an HTTP date; null if absent or unreadable. */
    static Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime when = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(when.getZone()), when);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }
}
