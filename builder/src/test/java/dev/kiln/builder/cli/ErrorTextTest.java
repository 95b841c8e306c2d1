package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class ErrorTextTest {
    @Test
    void aBarePath_getsTheReasonItsExceptionStandsFor() {
        AccessDeniedException denied = new AccessDeniedException("/root/store");
        assertThat(ErrorText.of(new KilnException("cannot create the store at /root/store: " + denied.getMessage(), denied)))
                .isEqualTo("cannot create the store at /root/store: /root/store: permission denied");
        assertThat(ErrorText.of(new UncheckedIOException(new NoSuchFileException("/x/y"))))
                .isEqualTo("/x/y: no such file or directory");
    }

    @Test
    void aMessageWithAReason_staysAsItIs() {
        FileSystemException withReason = new FileSystemException("/a", null, "Read-only file system");
        assertThat(ErrorText.of(new KilnException("cannot write: " + withReason.getMessage(), withReason)))
                .isEqualTo("cannot write: /a: Read-only file system");
        assertThat(ErrorText.of(new KilnException("no file-system cause", new IOException("disk on fire"))))
                .isEqualTo("no file-system cause");
    }
}
