package dev.kiln.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NativeBootTest {
    @Test
    void childJvmFlags_allowUnsafeMemoryAccessExactlyWhereTheJvmKnowsTheFlag() {
        List<String> flags = NativeBoot.childJvmFlags();
        // JDK 23 introduced the flag (JEP 471) and 24 warns without it; 17-22 refuse to start with it
        assertThat(flags.contains(NativeBoot.UNSAFE_MEMORY_ACCESS)).isEqualTo(Runtime.version().feature() >= 23);
    }

    @Test
    void childJvmFlags_startThisJvm() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(NativeBoot.childJvmFlags());
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).doesNotContain("sun.misc.Unsafe").doesNotContain("Unrecognized option");
    }
}
