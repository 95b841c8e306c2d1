package dev.kiln.oci;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

/** Docker's sets written as objects with empty values: {@code {"80/tcp":{}}}. */
final class JsonKeySet {
    private JsonKeySet() {
    }

    static final class Writer extends JsonSerializer<Set<String>> {
        @Override
        public void serialize(Set<String> value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            for (String key : value) {
                gen.writeFieldName(key);
                gen.writeStartObject();
                gen.writeEndObject();
            }
            gen.writeEndObject();
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Set<String> value) {
            return value == null || value.isEmpty();
        }
    }

    static final class Reader extends JsonDeserializer<Set<String>> {
        @Override
        @SuppressWarnings("unchecked")
        public Set<String> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Set<String> keys = new TreeSet<>();
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return (Set<String>) ctxt.handleUnexpectedToken(Set.class, p);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                keys.add(p.currentName());
                p.nextToken();
                p.skipChildren();
            }
            return keys;
        }

        @Override
        public Set<String> getNullValue(DeserializationContext ctxt) {
            return Set.of();
        }
    }
}
