package dev.kiln.builder.dockerfile;

/** One ENV or LABEL pair; {@code legacy} for the {@code ENV key value} form without {@code =}. */
public record KeyValue(String key, String value, boolean legacy) {

    public KeyValue {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty key");
        }
        value = value == null ? "" : value;
    }

    KeyValue expand(WordExpander x) {
        return new KeyValue(x.word(key), x.word(value), legacy);
    }
}
