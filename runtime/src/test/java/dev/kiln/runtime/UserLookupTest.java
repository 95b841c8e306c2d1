package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserLookupTest {
    @TempDir Path tmp;
    private UserLookup lookup;

    @BeforeEach
    void layers() throws IOException {
        Path base = Files.createDirectories(tmp.resolve("base/etc"));
        Files.writeString(base.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Path top = Files.createDirectories(tmp.resolve("top/etc"));
        Files.writeString(top.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "app:x:1000:1001:App:/home/app:/bin/sh\n");
        Files.writeString(top.resolve("group"), "root:x:0:\napp:x:1001:\nstaff:x:50:app,other\n");
        lookup = new UserLookup(List.of(tmp.resolve("base"), tmp.resolve("top")));
    }

    @Test
    void resolve_name_usesTopLayerPasswdWithGroupsAndHome() {
        UserLookup.Resolved r = lookup.resolve("app");
        assertThat(r.user()).isEqualTo(new User(1000, 1001, List.of(1001, 50)));
        assertThat(r.home()).isEqualTo("/home/app");
    }

    @Test
    void resolve_nameColonGroupName_usesThatGroupOnly() {
        assertThat(lookup.resolve("app:staff").user()).isEqualTo(new User(1000, 50, List.of(50)));
    }

    @Test
    void resolve_numericWithoutEntry_isTakenAsIs() {
        assertThat(lookup.resolve("4242:7").user()).isEqualTo(new User(4242, 7, List.of(7)));
        assertThat(lookup.resolve("4242").user()).isEqualTo(new User(4242, 0, List.of(0)));
    }

    @Test
    void resolve_unknownName_failsNamingIt() {
        assertThatThrownBy(() -> lookup.resolve("ghost")).hasMessageContaining("unable to find user ghost");
    }

    @Test
    void resolve_passwdWhitedOutInTopLayer_findsNoNames() throws IOException {
        Path top = tmp.resolve("top/etc/passwd");
        Files.delete(top);
        OverlayFormat.writeWhiteout(top);
        assertThatThrownBy(() -> lookup.resolve("app")).hasMessageContaining("unable to find user app");
    }

    @Test
    void resolve_rootOrZeroWithoutPasswd_isRoot() throws IOException {
        UserLookup bare = new UserLookup(List.of(Files.createDirectories(tmp.resolve("bare"))));
        for (String spec : List.of("root", "0", "root:root", "0:0", "")) {
            assertThat(bare.resolve(spec).user()).as(spec).isEqualTo(new User(0, 0, List.of(0)));
            assertThat(bare.resolve(spec).home()).as(spec).isNull();
        }
        assertThat(bare.resolve("1000").user()).isEqualTo(new User(1000, 0, List.of(0)));
        assertThatThrownBy(() -> bare.resolve("bob")).hasMessageContaining("unable to find user bob");
    }

    @Test
    void withHome_addsPasswdHomeUnlessEnvHasOne() {
        UserLookup.Resolved app = lookup.resolve("app");
        assertThat(app.withHome(List.of("A=1"))).containsExactly("A=1", "HOME=/home/app");
        assertThat(app.withHome(List.of("HOME=/x"))).containsExactly("HOME=/x");
    }
}
