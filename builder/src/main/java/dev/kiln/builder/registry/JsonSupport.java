package dev.kiln.builder.registry;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The mapper this package uses for the registry's own small JSON bodies (errors, tokens). */
final class JsonSupport {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonSupport() {}
}
