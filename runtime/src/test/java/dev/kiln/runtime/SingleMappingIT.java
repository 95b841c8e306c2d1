package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runtime as a user without a subordinate id range ({@code KILN_IT_USER_NOMAP}). */
class SingleMappingIT {
    private static String user;
    private static RootlessHarness harness;
    private static Path lower;
    private static int counter;

    @BeforeAll
    static void setUp() throws IOException {
        user = RootlessHarness.user("KILN_IT_USER_NOMAP");
        harness = RootlessHarness.create();
        lower = harness.busyboxRootfs(user, "busybox");
    }

    @AfterAll
    static void tearDown() {
        if (harness != null) {
            harness.delete();
        }
    }

    private static RootlessHarness.Result run(List<String> opts, String... argv) throws IOException {
        Path scratch = harness.dirFor(user, "run" + (++counter));
        List<String> args = new java.util.ArrayList<>(List.of("--lower", lower.toString(),
                "--upper", scratch.resolve("upper").toString(),
                "--work", scratch.resolve("work").toString()));
        args.addAll(opts);
        args.add("--");
        args.addAll(List.of(argv));
        return harness.run(user, args);
    }

    @Test
    void run_withoutSubuids_isRootMappedToTheUserAlone() throws IOException {
        RootlessHarness.Result r = run(List.of(), "sh", "-c", "id -u; cat /proc/self/uid_map");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).startsWith("0\n").contains(" 1\n");
        assertThat(r.stdout().trim().split("\n")).hasSize(2);
    }

    @Test
    void run_chownWithoutSubuids_failsAndKilnNamesUidmap() throws IOException {
        RootlessHarness.Result r = run(List.of(), "sh", "-c", "touch /tmp/f && chown 33:33 /tmp/f");
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("chown").contains("uidmap");
    }

    @Test
    void run_asUnmappedUser_failsNamingUidmap() throws IOException {
        RootlessHarness.Result r = run(List.of("--user", "1000:1000"), "id");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(99);
        assertThat(r.stderr()).contains("is not mapped").contains("uidmap");
    }
}
