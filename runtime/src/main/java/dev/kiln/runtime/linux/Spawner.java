package dev.kiln.runtime.linux;

import dev.kiln.oci.Threads;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kiln JVM's end of the spawner: starts the spawner JVM ({@link SpawnerMain}) once, sends it
 * {@link ChildProgram}s to clone and run, and tracks the children's exit statuses. Thread-safe;
 * spawns are serialised by the spawner itself.
 */
public final class Spawner implements AutoCloseable {
    public static final long CLONE_NEWNS = LibC.CLONE_NEWNS;
    public static final long CLONE_NEWUTS = LibC.CLONE_NEWUTS;
    public static final long CLONE_NEWIPC = LibC.CLONE_NEWIPC;
    public static final long CLONE_NEWPID = LibC.CLONE_NEWPID;
    public static final long CLONE_NEWNET = LibC.CLONE_NEWNET;

    /**
     * JVM flags of the spawner: small, serial, quiet (see DESIGN.md "Runtime"), and interpreted
     * only ({@code -Xint}): with a JIT, a child could hit an invocation-counter overflow and try to
     * compile a native wrapper under the code cache lock, which a compiler thread of the parent
     * may have held at clone time; seen here as a child hung in futex_wait from
     * {@code nmethod::new_native_nmethod}. Without a compiler there are no counters, no compiler
     * or sweeper threads, and the spawner's little Java work per request costs microseconds.
     * {@code -XX:ArchiveRelocationMode=0}: the start-up archive is mapped where it was dumped (at a
     * random address only if that is taken), so its pages are not patched and stay the file's,
     * which a clone does not copy: the spawner's private memory falls from ~30 to ~12 MB with
     * kiln's archive, and each container's clone and exec (which copy and then drop the spawner's
     * page tables) take about half as long. {@code -Xms4m -Xmn1m}: a small heap, and a young
     * generation that recycles few pages, for the same reason (anonymous memory 14.0 to 11.3 MB).
     */
    public static final List<String> JVM_FLAGS = List.of(
            "-Xint", "-XX:+UseSerialGC", "-Xmx32m", "-Xms4m", "-Xmn1m", "-Xss512k", "-XX:-UsePerfData",
            "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0", "-Xshare:auto",
            "-XX:ArchiveRelocationMode=0");

    /** What became of a spawn request. */
    public sealed interface Outcome permits Started, Failed {}

    /** A child that ran {@code execve}; {@code exit} completes with its raw wait status. */
    public record Started(int pid, int retries, CompletableFuture<Integer> exit) implements Outcome {}

    /** A child whose setup failed at op {@code op} (see {@link ChildProgram#describe}). */
    public record Failed(int op, int errno, int retries) implements Outcome {
        public boolean cloneFailed() {
            return op == SpawnerProtocol.OP_CLONE;
        }

        public boolean watchdogGaveUp() {
            return op == SpawnerProtocol.OP_WATCHDOG;
        }
    }

    /** The prefix of the directories (in {@code java.io.tmpdir}) that hold a starting spawner's FIFOs. */
    static final String DIR_PREFIX = "kiln-spawner-";

    private final Process process;
    private final OutputStream requests;
    private final DataInputStream responses;
    private final Map<Long, CompletableFuture<Object>> starts = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Integer>> exits = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final int spawnerPid;
    private volatile IOException broken;

    private Spawner(Process process, OutputStream requests, DataInputStream responses, int spawnerPid) {
        this.process = process;
        this.requests = requests;
        this.responses = responses;
        this.spawnerPid = spawnerPid;
        Thread reader = new Thread(this::readResponses, "kiln-spawner-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a spawner JVM with {@code classpath} (which must hold kiln and JNA); its stdin, stdout
     * and stderr are this JVM's, so children that inherit stdio write where kiln writes.
     */
    public static Spawner start(String classpath) throws IOException {
        return launch(classpath).connect();
    }

    /**
     * Starts a spawner JVM as {@link #start} does but returns at once, so that its start-up (a few
     * hundred milliseconds) overlaps the caller's other work; {@link Launch#connect} waits for it.
     * The two FIFOs are made in an {@link OwnedTempDir} in {@code java.io.tmpdir} and opened as soon
     * as the spawner is up, and the directory is then removed (the pipes live on in their open
     * descriptors), so that a kiln killed later leaves nothing there; the directory of one killed
     * before is removed by the next kiln's launch.
     */
    public static Launch launch(String classpath) throws IOException {
        return launch(classpath, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** As {@link #launch(String)}, with the FIFOs' directory in {@code tmp}. */
    static Launch launch(String classpath, Path tmp) throws IOException {
        OwnedTempDir dir = OwnedTempDir.create(tmp, DIR_PREFIX);
        Path req = dir.dir().resolve("requests");
        Path resp = dir.dir().resolve("responses");
        try {
            Syscalls.mkfifo(req, 0600);
            Syscalls.mkfifo(resp, 0600);
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmFlags(ManagementFactory.getRuntimeMXBean().getInputArguments()));
            cmd.addAll(NativeBoot.childJvmFlags());
            cmd.add("-cp");
            cmd.add(classpath);
            cmd.add(SpawnerMain.class.getName());
            cmd.add(req.toString());
            cmd.add(resp.toString());
            cmd.add(Long.toString(ProcessHandle.current().pid()));
            return new Launch(new ProcessBuilder(cmd).inheritIO().start(), dir);
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /**
     * {@link #JVM_FLAGS} and the start-up cache flags among {@code kilnFlags} (this JVM's, as the
     * {@code kiln} launcher chose them: kiln's class-data archive or, on JDK 25, its AOT cache, and
     * the logging that keeps a cache that does not fit quiet), so that the spawner maps kiln's and
     * JNA's classes from the cache instead of loading them from the jar: 20 classes left to load
     * instead of 330. The launcher has checked that the cache belongs to this jar and JDK. An AOT
     * cache replaces {@code -Xshare:auto}, which the JVM refuses beside it.
     */
    static List<String> jvmFlags(List<String> kilnFlags) {
        List<String> cache = kilnFlags.stream().filter(f -> f.startsWith("-XX:SharedArchiveFile=")
                || f.startsWith("-XX:AOTCache=") || f.startsWith("-Xlog:cds") || f.startsWith("-Xlog:aot")).toList();
        List<String> flags = new ArrayList<>(JVM_FLAGS);
        if (cache.stream().anyMatch(f -> f.startsWith("-XX:AOTCache="))) {
            flags.remove("-Xshare:auto");
        }
        flags.addAll(cache);
        return flags;
    }

    /**
     * The classes the spawner JVM runs that a kiln JVM does not, for the launcher's start-up cache
     * (its training runs no container): referring to them loads them without running anything.
     */
    public static List<Class<?>> spawnerClasses() {
        return List.of(SpawnerMain.class, Cloner.class, Cloner.Result.class, ChildExecutor.class,
                NativeArena.class, NativeMemory.class, SpawnerProtocol.class, Launch.class);
    }

    /** A spawner JVM that is starting: {@link #connect} once, or {@link #close} to stop it unused. */
    public static final class Launch implements AutoCloseable {
        private final Process process;
        private final OwnedTempDir dir;
        /** Opens kiln's ends of the FIFOs, which waits for the spawner to open its own, then removes their directory. */
        private final FutureTask<Ends> opening;
        private final Thread opener;
        /**
         * Stops the spawner and removes the FIFOs' directory (if the spawner was not up yet) when
         * kiln ends before connecting (e.g. Ctrl+C during a pull); a spawner also ends by itself
         * once its kiln has, but a directory still there would wait for the next kiln's sweep.
         */
        private final Thread cleanup;
        private boolean connected;

        private Launch(Process process, OwnedTempDir dir) {
            this.process = process;
            this.dir = dir;
            this.opening = new FutureTask<>(this::open);
            this.opener = new Thread(opening, "kiln-spawner-open");
            opener.setDaemon(true);
            opener.start();
            this.cleanup = new Thread(this::stop, "kiln-spawner-launch-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
        }

        /**
         * On {@link #opener}: first removes what killed kilns left (while the spawner starts), then
         * opens kiln's ends of the FIFOs in the spawner's order; each open returns once the
         * spawner has opened the other end. Both ends open, the names are needed no more.
         */
        private Ends open() throws IOException {
            OwnedTempDir.sweep(dir.dir().getParent(), DIR_PREFIX);
            OutputStream out = new FileOutputStream(dir.dir().resolve("requests").toFile());
            try {
                InputStream in = new FileInputStream(dir.dir().resolve("responses").toFile());
                dir.close();
                return new Ends(out, in);
            } catch (IOException | RuntimeException e) {
                out.close();
                throw e;
            }
        }

        private void stop() {
            process.destroyForcibly();
            try {
                process.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopOpening();
            dir.close();
        }

        /**
         * Ends {@link #opener}, which may wait in an open(2) for a spawner that is gone: opening
         * both FIFOs read-write (which never blocks) gives each of its opens the other end it
         * waits for, until it has returned. Then closes what it opened.
         */
        private void stopOpening() {
            try (FileChannel req = readWrite(dir.dir().resolve("requests"));
                    FileChannel resp = readWrite(dir.dir().resolve("responses"))) {
                Threads.joinUninterruptibly(opener, () -> {});
            } catch (IOException e) {
                // the FIFOs are gone: the opener has opened both, or failed
            }
            Threads.joinUninterruptibly(opener, () -> {});
            try {
                opening.get().close();
            } catch (ExecutionException | IOException e) {
                // it opened nothing that is left open, or closing it failed: nothing more to do
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // not once the opener has ended; kept were it so
            }
        }

        /** A FIFO opened read-write, never created (the directory may be being removed). */
        private static FileChannel readWrite(Path fifo) throws IOException {
            return FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }

        private void dropCleanup() {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs
            }
        }

        /** Waits until the spawner is ready; the spawner then belongs to the caller. */
        public Spawner connect() throws IOException {
            if (connected) {
                throw new IllegalStateException("spawner already connected");
            }
            connected = true;
            try {
                Ends ends = whileAlive(process, opening);
                DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(ends.responses()));
                int type = data.readInt();
                data.readLong();
                int pid = data.readInt();
                data.readInt();
                data.readInt();
                if (type != SpawnerProtocol.READY) {
                    throw new IOException("spawner sent " + type + " instead of READY");
                }
                dropCleanup(); // from here the spawner ends when kiln's end of its FIFO closes
                return new Spawner(process, ends.requests(), data, pid);
            } catch (IOException e) {
                dropCleanup();
                stop();
                throw e;
            }
        }

        /** Stops a spawner that was never connected; nothing once connected. */
        @Override
        public void close() {
            if (!connected) {
                connected = true;
                dropCleanup();
                stop();
            }
        }

        /** The directory of the FIFOs, gone once both ends are open. */
        Path dir() {
            return dir.dir();
        }
    }

    /** kiln's ends of the spawner's FIFOs. */
    private record Ends(OutputStream requests, InputStream responses) implements java.io.Closeable {
        @Override
        public void close() throws IOException {
            try {
                requests.close();
            } finally {
                responses.close();
            }
        }
    }

    /** Waits for {@code opening} (kiln's ends of the FIFOs); fails if the spawner died first. */
    private static Ends whileAlive(Process p, FutureTask<Ends> opening) throws IOException {
        while (true) {
            try {
                return opening.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!p.isAlive()) {
                    throw new IOException("the spawner JVM exited with status " + p.exitValue()
                            + " before it was ready (its error output is above)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting the spawner", e);
            } catch (ExecutionException e) {
                throw new IOException("cannot open the spawner's pipe", e.getCause());
            }
        }
    }

    /**
     * Clones a child with {@code cloneFlags} that runs {@code program}; returns once it has called
     * {@code execve} ({@link Started}) or failed ({@link Failed}).
     */
    public Outcome spawn(long cloneFlags, ChildProgram program, int watchdogMillis) throws IOException {
        long id = ids.incrementAndGet();
        CompletableFuture<Object> start = new CompletableFuture<>();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        starts.put(id, start);
        exits.put(id, exit);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0); // length, patched below
        out.writeInt(SpawnerProtocol.SPAWN);
        out.writeLong(id);
        out.writeLong(cloneFlags);
        out.writeInt(watchdogMillis);
        program.writeTo(out);
        byte[] frame = bytes.toByteArray();
        int length = frame.length - 4;
        frame[0] = (byte) (length >>> 24);
        frame[1] = (byte) (length >>> 16);
        frame[2] = (byte) (length >>> 8);
        frame[3] = (byte) length;
        synchronized (requests) {
            checkBroken();
            requests.write(frame);
            requests.flush();
        }
        try {
            Object result = start.get();
            if (result instanceof Failed f) {
                exits.remove(id);
                retries.addAndGet(f.retries());
                return f;
            }
            int[] started = (int[]) result;
            retries.addAndGet(started[1]);
            return new Started(started[0], started[1], exit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the spawner", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            starts.remove(id);
        }
    }

    private void checkBroken() throws IOException {
        if (broken != null) {
            throw new IOException("the spawner is gone", broken);
        }
    }

    private void readResponses() {
        try {
            while (true) {
                int type = responses.readInt();
                long id = responses.readLong();
                int a = responses.readInt();
                int b = responses.readInt();
                int c = responses.readInt();
                switch (type) {
                    case SpawnerProtocol.STARTED -> complete(starts.get(id), new int[] {a, b});
                    case SpawnerProtocol.FAILED -> complete(starts.get(id), new Failed(a, b, c));
                    case SpawnerProtocol.EXITED -> {
                        CompletableFuture<Integer> f = exits.remove(id);
                        if (f != null) {
                            f.complete(a);
                        }
                    }
                    default -> throw new IOException("unknown response " + type);
                }
            }
        } catch (IOException e) {
            broken = e instanceof EOFException ? new IOException("the spawner JVM exited") : e;
            starts.values().forEach(f -> f.completeExceptionally(broken));
            exits.values().forEach(f -> f.completeExceptionally(broken));
        }
    }

    private static void complete(CompletableFuture<Object> f, Object value) {
        if (f != null) {
            f.complete(value);
        }
    }

    /** Watchdog retries over this spawner's life. */
    public long retries() {
        return retries.get();
    }

    public int pid() {
        return spawnerPid;
    }

    @Override
    public void close() {
        try {
            requests.close();
        } catch (IOException e) {
            // the spawner sees EOF either way
        }
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
