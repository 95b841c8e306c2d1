package dev.kiln.builder.differential;

/**
 * One way the two builders' images differ.
 *
 * @param key stable text naming what differs, without the values ({@code file /a mode},
 *     {@code config Labels[io.buildah.version]}): what expected-differences lists match
 * @param detail the two values, for the failure message
 */
record Difference(String key, String detail) {
    @Override
    public String toString() {
        return key + ": " + detail;
    }
}
