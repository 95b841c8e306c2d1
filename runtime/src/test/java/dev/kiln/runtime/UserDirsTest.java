package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserDirsTest {
    @Test
    void home_isHomeFirst_thenUserHome_absoluteOnly() {
        assertThat(UserDirs.home(Map.of("HOME", "/ci/home"), "/home/passwd")).contains(Path.of("/ci/home"));
        assertThat(UserDirs.home(Map.of(), "/home/passwd")).contains(Path.of("/home/passwd"));
        assertThat(UserDirs.home(Map.of("HOME", ""), "/home/passwd")).contains(Path.of("/home/passwd"));
        assertThat(UserDirs.home(Map.of("HOME", "relative/home"), "/home/passwd")).contains(Path.of("/home/passwd"));
    }

    @Test
    void home_ofAUserWithoutPasswdEntryAndWithoutHome_isNone() {
        // the JVM's user.home for a uid the passwd database does not know (a pod's arbitrary uid)
        assertThat(UserDirs.home(Map.of(), "?")).isEmpty();
        assertThat(UserDirs.dataHome(Map.of(), "?")).isEmpty();
        assertThat(UserDirs.cacheHome(Map.of(), "?")).isEmpty();
        assertThat(UserDirs.dataHome(Map.of("HOME", "/pod/home"), "?")).contains(Path.of("/pod/home/.local/share"));
    }

    @Test
    void xdgDirs_winWhenAbsolute_areIgnoredWhenRelative() {
        Map<String, String> env = Map.of("HOME", "/h", "XDG_DATA_HOME", "/data", "XDG_CACHE_HOME", "/cache");
        assertThat(UserDirs.dataHome(env, "?")).contains(Path.of("/data"));
        assertThat(UserDirs.cacheHome(env, "?")).contains(Path.of("/cache"));
        Map<String, String> relative = Map.of("HOME", "/h", "XDG_DATA_HOME", "data", "XDG_CACHE_HOME", "./cache");
        assertThat(UserDirs.dataHome(relative, "?")).contains(Path.of("/h/.local/share"));
        assertThat(UserDirs.cacheHome(relative, "?")).contains(Path.of("/h/.cache"));
    }
}
