package dev.kiln.builder.registry;

import dev.kiln.oci.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a registry's error response ({@code {"errors":[{"code":..,"message":..}]}}) into a
 * {@link RegistryException} with a message a user can act on.
 */
final class RegistryErrors {
    private RegistryErrors() {}

    static RegistryException fromResponse(String what, int status, byte[] body) {
        String code = null;
        List<String> messages = new ArrayList<>();
        try {
            JsonNode errors = Json.mapper().readTree(body).path("errors");
            for (JsonNode e : errors) {
                if (code == null && e.hasNonNull("code")) {
                    code = e.get("code").asText();
                }
                String m = e.path("message").asText("");
                String c = e.path("code").asText("");
                messages.add(m.isEmpty() ? c : c.isEmpty() ? m : c + ": " + m);
            }
        } catch (Exception notJson) {
            // Not the registry's JSON error format: fall back to the body's first line.
        }
        if (messages.isEmpty()) {
            String text = new String(body, 0, Math.min(body.length, 400), StandardCharsets.UTF_8).strip();
            int nl = text.indexOf('\n');
            messages.add(text.isEmpty() ? reason(status) : nl > 0 ? text.substring(0, nl) : text);
        }
        String detail = String.join("; ", messages);
        String message = what + ": " + status + " " + detail;
        return new RegistryException(message, status, code, isRetryable(status), hint(status), null);
    }

    static boolean isRetryable(int status) {
        return status == 429 || status == 408 || (status >= 500 && status != 501 && status != 505);
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> "check the user name and password; log in with: kiln login REGISTRY";
            case 403 -> "the credentials are valid but may not do this; check repository permissions";
            case 404 -> "check the repository name, tag and registry (and any --registry-mirror)";
            case 429 -> "the registry is rate limiting; wait a while or log in";
            default -> null;
        };
    }

    private static String reason(int status) {
        return switch (status) {
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not found";
            case 429 -> "too many requests";
            default -> status >= 500 ? "server error" : "unexpected response";
        };
    }
}
