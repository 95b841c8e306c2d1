package dev.kiln.builder.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCheckerTest {
    @TempDir Path root;

    @Test
    void check_freshStoreWithABlobAndLeftovers_isClean_andListsTheLeftovers() throws Exception {
        LocalStore store = new LocalStore(root);
        store.putBytes("blob".getBytes(StandardCharsets.UTF_8), null, "x");
        Files.createDirectories(root.resolve("layers/.extract-123"));

        StoreChecker.Report r = new StoreChecker(store).check();

        assertThat(r.clean()).as(r.problems().toString()).isTrue();
        assertThat(r.blobs()).isEqualTo(1);
        assertThat(r.leftovers()).containsExactly("layers/.extract-123");
    }

    @Test
    void check_damagedAndEmptyBlobs_areProblemsNamingThem_andNothingIsChanged() throws Exception {
        LocalStore store = new LocalStore(root);
        Digest damaged = store.putBytes("the real bytes".getBytes(StandardCharsets.UTF_8), null, "x");
        Digest empty = store.putBytes("more bytes".getBytes(StandardCharsets.UTF_8), null, "y");
        Files.writeString(store.blobPath(damaged), "the r3al bytes");
        Files.write(store.blobPath(empty), new byte[0]);

        StoreChecker.Report r = new StoreChecker(store).check();

        assertThat(r.clean()).isFalse();
        assertThat(String.join("\n", r.problems())).contains(damaged.toString(), empty.toString(), "0 bytes");
        assertThat(store.blobPath(damaged)).exists();
        assertThat(store.blobPath(empty)).exists();
    }
}
