package dev.kiln.builder.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.builder.store.PrivateDirs;
import dev.kiln.runtime.IdMapping;
import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What {@code kiln run} records about a container, daemonless: one directory per container under
 * {@code ${XDG_RUNTIME_DIR}/kiln/containers} (fallback {@code /tmp/kiln-<uid>/containers}) holding
 * {@code state.json}, the upper and work dirs and, when detached, {@code log}. The supervising kiln
 * process is recorded by pid and start time, so an entry whose process died is recognised.
 */
record ContainerState(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("image") String image,
        @JsonProperty("command") List<String> command,
        @JsonProperty("created") String created,
        @JsonProperty("pid") long pid,
        @JsonProperty("startTime") long startTime,
        @JsonProperty("exitCode") Integer exitCode) {

    private static final SecureRandom RANDOM = new SecureRandom();
    static final String FILE = "state.json";

    static Path root() {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && xdg.startsWith("/")) { // a relative one is ignored, as the XDG rules say
            return Path.of(xdg, "kiln", "containers");
        }
        // /tmp is shared: another user may have made /tmp/kiln-<uid> first (a symbolic link to
        // somewhere, or a directory of theirs) to read or redirect this user's containers
        Path fallback = Path.of("/tmp", "kiln-" + hostUid());
        try {
            return PrivateDirs.ensure(fallback).resolve("containers");
        } catch (java.io.IOException e) {
            throw new KilnException("cannot use " + fallback + ": " + e.getMessage(), "set XDG_RUNTIME_DIR", e);
        }
    }

    /** The caller's uid on the host, also from inside kiln's user namespace. */
    static long hostUid() {
        int uid = Syscalls.getuid();
        IdMapping mapping = IdMapping.current();
        if (mapping.mapsHostRootAside()) {
            return 0; // real root over its subordinate range: kiln's uid 0 is not host root, but root runs it
        }
        for (IdMapping.Range r : mapping.uids()) {
            if (r.inside() <= uid && uid < r.inside() + r.count()) {
                return r.outside() + uid - r.inside();
            }
        }
        return uid;
    }

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The directory of container {@code id}. */
    static Path dir(String id) {
        return root().resolve(id);
    }

    Path dir() {
        return dir(id);
    }

    /** The output of a detached container, in its directory {@code dir}. */
    static Path log(Path dir) {
        return dir.resolve("log");
    }

    /** The overlay upper dir of the container whose directory is {@code dir}. */
    static Path upper(Path dir) {
        return dir.resolve("upper");
    }

    /** The overlay work dir of the container whose directory is {@code dir}. */
    static Path work(Path dir) {
        return dir.resolve("work");
    }

    ContainerState exited(int code) {
        return new ContainerState(id, name, image, command, created, pid, startTime, code);
    }

    void save() {
        try {
            Files.createDirectories(dir());
            Path tmp = Files.createTempFile(dir(), ".state", ".tmp");
            Files.write(tmp, Json.write(this));
            Files.move(tmp, dir().resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new KilnException("cannot record container " + id + " in " + dir() + ": " + e.getMessage(), e);
        }
    }

    /** True while the supervising kiln process (same pid, same start time) is alive. */
    boolean running() {
        return exitCode == null && startTime != 0 && startTime == startTimeOf(pid);
    }

    String status() {
        if (running()) {
            return "Up";
        }
        return exitCode != null ? "Exited (" + exitCode + ")" : "Exited (unknown: kiln was killed)";
    }

    /** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or 0 when gone. */
    static long startTimeOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[19]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static List<ContainerState> all() {
        List<ContainerState> out = new ArrayList<>();
        if (!Files.isDirectory(root())) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(root())) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                Path f = d.resolve(FILE);
                if (Files.isRegularFile(f)) {
                    try {
                        out.add(Json.read(Files.readAllBytes(f), ContainerState.class));
                    } catch (IOException | RuntimeException e) {
                        // half-written or foreign: skip
                    }
                }
            }
        } catch (IOException e) {
            throw new KilnException("cannot list containers in " + root() + ": " + e.getMessage(), e);
        }
        out.sort((a, b) -> b.created().compareTo(a.created()));
        return out;
    }

    /** By full id, unique id prefix or name. */
    static ContainerState find(String idOrName) {
        List<ContainerState> all = all();
        Optional<ContainerState> byName = all.stream().filter(c -> idOrName.equals(c.name())).findFirst();
        if (byName.isPresent()) {
            return byName.get();
        }
        List<ContainerState> byId = all.stream().filter(c -> c.id().startsWith(idOrName)).toList();
        if (byId.size() == 1) {
            return byId.get(0);
        }
        throw new KilnException(byId.isEmpty() ? "no such container: " + idOrName
                : "container id prefix " + idOrName + " is ambiguous", "see kiln ps -a", null);
    }
}
