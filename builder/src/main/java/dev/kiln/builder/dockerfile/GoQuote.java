package dev.kiln.builder.dockerfile;

/** Go's {@code strconv.Quote}, which BuildKit's AST dump uses for every string. */
public final class GoQuote {
    private GoQuote() {}

    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case 0x07 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 0x0b -> sb.append("\\v");
                default -> appendOther(sb, cp);
            }
        }
        return sb.append('"').toString();
    }

    private static void appendOther(StringBuilder sb, int cp) {
        if (isPrint(cp)) {
            sb.appendCodePoint(cp);
        } else if (cp < 0x80) {
            sb.append(String.format("\\x%02x", cp));
        } else if (Character.isSurrogate((char) cp) && cp < 0x10000) {
            sb.append("\\ufffd");
        } else if (cp < 0x10000) {
            sb.append(String.format("\\u%04x", cp));
        } else {
            sb.append(String.format("\\U%08x", cp));
        }
    }

    /** Go's {@code unicode.IsPrint}: graphic characters plus the ASCII space. */
    private static boolean isPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR -> {
                return false;
            }
            default -> {
                return true;
            }
        }
    }
}
