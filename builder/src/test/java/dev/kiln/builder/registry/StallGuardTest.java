package dev.kiln.builder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Issue 11, finding 8: bodies that stall or never end fail clearly instead of hanging or filling memory. */
class StallGuardTest {
    @Test
    void networkLimits_bodyThatStopsSending_failsSayingWhat() throws Exception {
        PipedOutputStream server = new PipedOutputStream();
        InputStream body = new PipedInputStream(server);
        server.write("partial".getBytes());
        InputStream in = StallGuard.wrap(body, Duration.ofMillis(200), Long.MAX_VALUE, "blob sha256:x");

        assertThat(in.readNBytes(7)).isEqualTo("partial".getBytes());
        assertThatThrownBy(in::read).isInstanceOf(IOException.class)
                .hasMessageContaining("blob sha256:x").hasMessageContaining("no data for");
        server.close();
    }

    @Test
    void networkLimits_bodyLongerThanTheCap_failsSayingWhat_butOneOfExactlyTheCapIsRead() throws Exception {
        byte[] ten = new byte[10];
        assertThat(StallGuard.wrap(new ByteArrayInputStream(ten), Duration.ofSeconds(30), 10, "x").readAllBytes())
                .hasSize(10);
        InputStream in = StallGuard.wrap(new ByteArrayInputStream(new byte[11]), Duration.ofSeconds(30), 10, "ADD u");
        assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                .hasMessageContaining("ADD u: more than 10 bytes");
    }
}
