package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which /etc/subuid and /etc/subgid entries give real root a user namespace of its own. */
class RootSubIdsTest {
    @TempDir
    Path dir;

    @Test
    void rootEntry_byNameOrUid_isRootsRange() throws Exception {
        assertThat(forRoot("kiln-test:100000:65536\nroot:300000:65536\n", "0:400000:65536\n"))
                .hasValueSatisfying(r -> {
                    assertThat(r.uidStart()).isEqualTo(300000);
                    assertThat(r.uidCount()).isEqualTo(65536);
                    assertThat(r.gidStart()).isEqualTo(400000);
                    assertThat(r.newuidmap()).as("root writes its maps itself").isNull();
                });
    }

    @Test
    void noRootEntry_orOnlyOneFile_isNoRange() throws Exception {
        assertThat(forRoot("kiln-test:100000:65536\n", "kiln-test:100000:65536\n")).isEmpty();
        assertThat(forRoot("root:300000:65536\n", "kiln-test:100000:65536\n")).isEmpty();
    }

    /** Fewer than 65536 ids cannot hold uid 0..65535; a range from 0 would give containers host root. */
    @Test
    void tooSmallOrFromZero_isNoRange() throws Exception {
        assertThat(forRoot("root:300000:1000\n", "root:300000:65536\n")).isEmpty();
        assertThat(forRoot("root:0:65536\n", "root:300000:65536\n")).isEmpty();
    }

    @Test
    void rootRangeMap_isTheRangeThenHostRootAfterIt() {
        assertThat(Userns.rootRangeMap(300000, 65536)).isEqualTo("0 300000 65536\n65536 0 1\n");
    }

    private java.util.Optional<Userns.SubIds> forRoot(String subuid, String subgid) throws Exception {
        return Userns.SubIds.forRoot(Files.writeString(dir.resolve("subuid"), subuid),
                Files.writeString(dir.resolve("subgid"), subgid));
    }
}
