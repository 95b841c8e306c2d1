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

    private static String reason(FileSystemException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "file exists";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof NotLinkException) {
            return "not a symbolic link";
        }
        return null;
    }
}
