package dev.kiln.builder.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.util.Map;

/**
 * The text of an error as the user reads it. The JDK's file-system exceptions often carry only a
 * path (an {@code AccessDeniedException}'s message is the file, not "permission denied"), so a
 * message built from one ends in a bare path; this adds the reason the exception's type stands for.
 */
final class ErrorText {
    private ErrorText() {}

    /** {@code e}'s message, with the reason of the file-system error behind it when the message lacks one. */
    static String of(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            e = u.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        FileSystemException fs = fileSystemCause(e);
        if (fs == null || fs.getReason() != null) {
            return message;
        }
        String reason = reason(fs);
        if (reason == null || message.endsWith(reason)) {
            return message;
        }
        return message.endsWith(fs.getMessage()) ? message + ": " + reason : message + " (" + reason + ")";
    }

    /** True for an I/O failure that is the user's to fix (a path, a permission), not a bug in kiln. */
    static boolean isIoProblem(Throwable e) {
        return e instanceof IOException || e instanceof UncheckedIOException;
    }

    private static FileSystemException fileSystemCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FileSystemException fs) {
                return fs;
            }
        }
        return null;
    }

    /** The reason each file-system exception without one stands for, most specific first. */
    private static final Map<Class<? extends FileSystemException>, String> REASONS = Map.of(
            AccessDeniedException.class, "permission denied",
            NoSuchFileException.class, "no such file or directory",
            FileAlreadyExistsException.class, "file exists",
            DirectoryNotEmptyException.class, "directory not empty",
            NotDirectoryException.class, "not a directory",
            NotLinkException.class, "not a symbolic link");

    private static String reason(FileSystemException e) {
        return REASONS.get(e.getClass());
    }
}
