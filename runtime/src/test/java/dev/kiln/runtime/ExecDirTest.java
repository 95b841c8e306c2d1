package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which kernels {@link ExecDir} mounts a volatile upper dir on (overlay's {@code volatile}: 5.10+). */
class ExecDirTest {

    @ParameterizedTest
    @CsvSource({
        "5.10.0-13-amd64, true", "5.9.16, false", "6.1.0, true", "4.19.0-18-amd64, false",
        "5.15.0-91-generic, true", "10.0, true", "5.1, false", "'', false", "unknown, false",
    })
    void releaseAtLeast_5_10(String release, boolean expected) {
        assertThat(ExecDir.releaseAtLeast(release, 5, 10)).isEqualTo(expected);
    }
}
