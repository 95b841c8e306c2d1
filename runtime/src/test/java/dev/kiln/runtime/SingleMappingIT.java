package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The runtime as a user without a subordinate id range ({@code KILN_IT_USER_NOMAP}). */
class SingleMappingIT {
    @RegisterExtension
    static final BusyboxContainers BUSYBOX = BusyboxContainers.forUser("KILN_IT_USER_NOMAP");

    @Test
    void run_withoutSubuids_isRootMappedToTheUserAlone() throws IOException {
        RootlessHarness.Result r = BUSYBOX.run(List.of(), "sh", "-c", "id -u; cat /proc/self/uid_map");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).startsWith("0\n").contains(" 1\n");
        assertThat(r.stdout().trim().split("\n")).hasSize(2);
    }

    @Test
    void run_chownWithoutSubuidsOrRecorder_failsAndKilnNamesUidmap() throws IOException {
        RootlessHarness.Result r = BUSYBOX.run(List.of("--no-chown-record"), "sh", "-c",
                "touch /tmp/f && chown 33:33 /tmp/f");
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("chown").contains("uidmap");
    }

    @Test
    void run_asUnmappedUserWithoutRecorder_failsNamingUidmap() throws IOException {
        RootlessHarness.Result r = BUSYBOX.run(List.of("--user", "1000:1000", "--no-chown-record"), "id");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(99);
        assertThat(r.stderr()).contains("is not mapped").contains("uidmap");
    }
}
