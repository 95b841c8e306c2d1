package dev.kiln.runtime.linux;

import dev.kiln.runtime.UserDirs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32;

/**
 * Sets JNA's system properties before JNA loads: a fixed library search path (otherwise JNA spawns
 * {@code /sbin/ldconfig -p}) and a per-user cache holding {@code libjnidispatch.so}, extracted once
 * per JNA version instead of into a fresh temp file on every JVM start ({@link UserDirs#cacheHome};
 * without one, JNA's own extraction into {@code java.io.tmpdir}).
 */
final class NativeBoot {
    private static final String PLATFORM_PATH = String.join(":",
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib");
    private static boolean done;

    private NativeBoot() {}

    static synchronized void configure() {
        if (done) {
            return;
        }
        done = true;
        setIfAbsent("jna.platform.library.path", PLATFORM_PATH);
        Path cache = null;
        if (System.getProperty("jna.boot.library.path") == null) {
            cache = extractDispatchLibrary();
            if (cache != null) {
                System.setProperty("jna.boot.library.path", cache.toString());
            }
        }
        // JNA makes its temp directory at start-up even when it extracts nothing, by default below
        // user.home: for a uid without a passwd entry that is "?", i.e. the current directory
        if (cache != null && Files.isWritable(cache)) {
            setIfAbsent("jna.tmpdir", cache.toString());
        } else if (!System.getProperty("user.home", "").startsWith("/")) {
            setIfAbsent("jna.tmpdir", System.getProperty("java.io.tmpdir"));
        }
    }

    /** What the launcher passes too on JDK 23+ (JEP 471); JDK 17-22 refuse the flag. */
    static final String UNSAFE_MEMORY_ACCESS = "--sun-misc-unsafe-memory-access=allow";

    /** JVM flags that give a child JVM the same setup without repeating the extraction. */
    static java.util.List<String> childJvmFlags() {
        configure();
        java.util.List<String> flags = new java.util.ArrayList<>();
        flags.add("-Djna.platform.library.path=" + System.getProperty("jna.platform.library.path"));
        String boot = System.getProperty("jna.boot.library.path");
        if (boot != null) {
            flags.add("-Djna.boot.library.path=" + boot);
        }
        if (Runtime.version().feature() >= 22) {
            flags.add("--enable-native-access=ALL-UNNAMED");
        }
        if (Runtime.version().feature() >= 23) {
            // NativeMemory uses sun.misc.Unsafe; JDK 24+ warns on every JVM unless allowed (JEP 471)
            flags.add(UNSAFE_MEMORY_ACCESS);
        }
        return flags;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static Path extractDispatchLibrary() {
        String arch = "aarch64".equals(System.getProperty("os.arch")) ? "linux-aarch64" : "linux-x86-64";
        String resource = "/com/sun/jna/" + arch + "/libjnidispatch.so";
        try (InputStream in = NativeBoot.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            byte[] lib = in.readAllBytes();
            CRC32 crc = new CRC32();
            crc.update(lib);
            Path cache = UserDirs.cacheHome().orElse(null);
            if (cache == null) {
                return null; // no home: JNA extracts it to a temp file of its own
            }
            Path dir = cache.resolve("kiln").resolve("jna")
                    .resolve(arch + "-" + Long.toHexString(crc.getValue()));
            Path target = dir.resolve("libjnidispatch.so");
            if (Files.isRegularFile(target) && Files.size(target) == lib.length && Files.isReadable(target)) {
                return dir; // another user's (a HOME two users share) is not readable: extracted again, or JNA's own
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "jnidispatch", ".tmp");
            Files.write(tmp, lib);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return dir;
        } catch (IOException | SecurityException e) {
            return null; // JNA falls back to its own temp-file extraction
        }
    }
}
