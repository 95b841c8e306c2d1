package dev.kiln.runtime;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code syscall-probe}, a static binary compiled once per JVM from the C source beside this
 * class: it tries system calls busybox has no tool for (mount_setattr, keyctl, unshare, …) and
 * prints {@code NAME ok} or {@code NAME ERRNO} for each. Skips the test, loudly, without gcc and a
 * static libc (scripts/test.sh installs gcc and libc6-dev).
 */
final class SyscallProbe {
    private static Path compiled;

    private SyscallProbe() {}

    /** The compiled probe, copied to {@code bin/syscall-probe} of {@code rootfs} (mode 755). */
    static synchronized void installInto(Path rootfs) throws IOException {
        if (compiled == null) {
            Path dir = Files.createTempDirectory("kiln-syscall-probe-");
            Path src = dir.resolve("syscall-probe.c");
            Path bin = dir.resolve("syscall-probe");
            for (Path p : List.of(dir, src, bin)) {
                p.toFile().deleteOnExit(); // in the reverse order: the directory last
            }
            try (InputStream in = SyscallProbe.class.getResourceAsStream("syscall-probe.c")) {
                Files.copy(in, src);
            }
            RootlessHarness.Result r = RootlessHarness.exec(List.of("gcc", "-static", "-O1", "-o",
                    bin.toString(), src.toString()));
            assumeTrue(r.exitCode() == 0, "cannot compile the syscall probe (needs gcc and "
                    + "libc6-dev): " + r);
            compiled = bin;
        }
        Path target = Files.createDirectories(rootfs.resolve("bin")).resolve("syscall-probe");
        Files.copy(compiled, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        RootlessHarness.exec(List.of("chmod", "755", target.toString()));
    }

    /** The probe's output lines as NAME → result ("ok" or an errno name). */
    static Map<String, String> parse(String output) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (space > 0) {
                out.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        return out;
    }
}
