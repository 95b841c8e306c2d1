package dev.kiln.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * A small strict JSON reader (RFC 8259, as Go's encoding/json accepts it) for the exec form of
 * instructions: it tells apart "not JSON" (the caller falls back to the shell form), "JSON but not
 * an array of strings" (an error) and a string array. Kept free of Jackson so that parsing starts
 * fast.
 */
final class JsonArgs {

    /** Why the text is not a string array, or null if it is one. */
    enum Failure { NOT_JSON, NOT_STRINGS }

    /** Deeper nesting is treated as not JSON (Go stops at 10,000; we stop earlier to spare the stack). */
    private static final int MAX_DEPTH = 1000;

    private final String s;
    private int pos;
    private int depth;
    private boolean nonString;

    private JsonArgs(String s) {
        this.s = s;
    }

    /** The strings, or null; {@code failure[0]} says why when null. */
    static List<String> parse(String text, Failure[] failure) {
        JsonArgs p = new JsonArgs(text);
        try {
            p.ws();
            if (p.peek() != '[') {
                failure[0] = Failure.NOT_JSON;
                return null;
            }
            List<String> out = p.array(true);
            p.ws();
            if (p.pos != text.length()) {
                failure[0] = Failure.NOT_JSON;
                return null;
            }
            if (p.nonString) {
                failure[0] = Failure.NOT_STRINGS;
                return null;
            }
            return out;
        } catch (IllegalArgumentException e) {
            failure[0] = Failure.NOT_JSON;
            return null;
        }
    }

    private int peek() {
        return pos < s.length() ? s.charAt(pos) : -1;
    }

    private void ws() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private void expect(char c) {
        if (peek() != c) {
            throw new IllegalArgumentException();
        }
        pos++;
    }

    private List<String> array(boolean top) {
        expect('[');
        enter();
        List<String> out = top ? new ArrayList<>() : null;
        ws();
        if (peek() == ']') {
            pos++;
            depth--;
            return out;
        }
        while (true) {
            ws();
            if (peek() == '"') {
                String v = string();
                if (out != null) {
                    out.add(v);
                }
            } else {
                if (top) {
                    nonString = true;
                }
                value();
            }
            ws();
            int c = peek();
            pos++;
            if (c == ']') {
                depth--;
                return out;
            }
            if (c != ',') {
                throw new IllegalArgumentException();
            }
        }
    }

    private void value() {
        int c = peek();
        if (c == '"') {
            string();
        } else if (c == '[') {
            array(false);
        } else if (c == '{') {
            object();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            number();
        } else if (s.startsWith("true", pos)) {
            pos += 4;
        } else if (s.startsWith("false", pos)) {
            pos += 5;
        } else if (s.startsWith("null", pos)) {
            pos += 4;
        } else {
            throw new IllegalArgumentException();
        }
    }

    private void object() {
        expect('{');
        enter();
        ws();
        if (peek() == '}') {
            pos++;
            depth--;
            return;
        }
        while (true) {
            ws();
            string();
            ws();
            expect(':');
            ws();
            value();
            ws();
            int c = peek();
            pos++;
            if (c == '}') {
                depth--;
                return;
            }
            if (c != ',') {
                throw new IllegalArgumentException();
            }
        }
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw new IllegalArgumentException();
        }
    }

    private void number() {
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else {
            digits();
        }
        if (peek() == '.') {
            pos++;
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            digits();
        }
    }

    private void digits() {
        int start = pos;
        while (peek() >= '0' && peek() <= '9') {
            pos++;
        }
        if (pos == start) {
            throw new IllegalArgumentException();
        }
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = peek();
            if (c < 0 || c < 0x20) {
                throw new IllegalArgumentException();
            }
            pos++;
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append((char) c);
                continue;
            }
            int e = peek();
            pos++;
            switch (e) {
                case '"', '\\', '/' -> sb.append((char) e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append(hex4());
                default -> throw new IllegalArgumentException();
            }
        }
    }

    private char hex4() {
        if (pos + 4 > s.length()) {
            throw new IllegalArgumentException();
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos++), 16);
            if (d < 0) {
                throw new IllegalArgumentException();
            }
            v = v * 16 + d;
        }
        return (char) v;
    }
}
