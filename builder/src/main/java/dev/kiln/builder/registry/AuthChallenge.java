package dev.kiln.builder.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge from a {@code WWW-Authenticate} header, e.g. {@code Bearer
 * realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:x:pull"}.
 *
 * @param scheme lower-cased ({@code basic}, {@code bearer})
 * @param params lower-cased keys, unquoted values
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    public AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public String param(String name) {
        return params.get(name);
    }

    public boolean isBearer() {
        return scheme.equals("bearer");
    }

    public boolean isBasic() {
        return scheme.equals("basic");
    }

    /** Parses every challenge in the given header values; unknown syntax is skipped. */
    public static List<AuthChallenge> parse(List<String> headerValues) {
        List<AuthChallenge> out = new ArrayList<>();
        for (String value : headerValues) {
            new Parser(value).parseInto(out);
        }
        return out;
    }

    public static List<AuthChallenge> parse(String headerValue) {
        return parse(List.of(headerValue));
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        void parseInto(List<AuthChallenge> out) {
            while (true) {
                skip(" \t,");
                String scheme = token();
                if (scheme.isEmpty()) {
                    return;
                }
                Map<String, String> params = new LinkedHashMap<>();
                while (true) {
                    skip(" \t,");
                    int mark = i;
                    String key = token();
                    skip(" \t");
                    if (key.isEmpty() || i >= s.length() || s.charAt(i) != '=') {
                        i = mark; // the next challenge's scheme (or junk)
                        break;
                    }
                    i++;
                    skip(" \t");
                    params.put(key.toLowerCase(Locale.ROOT), value());
                }
                out.add(new AuthChallenge(scheme, params));
            }
        }

        private void skip(String chars) {
            while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private String token() {
            int start = i;
            while (i < s.length() && "\t ,=\"".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            return s.substring(start, i);
        }

        private String value() {
            if (i < s.length() && s.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < s.length()) {
                        c = s.charAt(i++);
                    }
                    sb.append(c);
                }
                i++;
                return sb.toString();
            }
            int start = i;
            while (i < s.length() && s.charAt(i) != ',' && s.charAt(i) != ' ') {
                i++;
            }
            return s.substring(start, i);
        }
    }
}
