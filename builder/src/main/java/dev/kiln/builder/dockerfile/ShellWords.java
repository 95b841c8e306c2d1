package dev.kiln.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;

/** Word splitting: characters from quotes and escapes never split; expanded text does. */
final class ShellWords {
    private final StringBuilder word = new StringBuilder();
    private final List<String> words = new ArrayList<>();
    private boolean inWord;

    void addChar(int ch) {
        if (Chars.isSpace(ch)) {
            if (inWord && word.length() != 0) {
                words.add(word.toString());
                word.setLength(0);
                inWord = false;
            }
        } else {
            addRawChar(ch);
        }
    }

    void addRawChar(int ch) {
        word.appendCodePoint(ch);
        inWord = true;
    }

    void addString(String s) {
        s.codePoints().forEach(this::addChar);
    }

    void addRaw(String s) {
        word.append(s);
        inWord = true;
    }

    List<String> get() {
        if (word.length() > 0) {
            words.add(word.toString());
            word.setLength(0);
            inWord = false;
        }
        return words;
    }
}
