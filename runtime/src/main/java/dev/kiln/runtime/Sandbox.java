package dev.kiln.runtime;

import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layer.OverlayMarkers;
import dev.kiln.runtime.linux.ChildProgram;
import dev.kiln.runtime.linux.Errno;
import dev.kiln.runtime.linux.OwnedTempDir;
import dev.kiln.runtime.linux.Spawner;
import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Runs processes in containers. One sandbox owns one spawner JVM and is shared by every RUN step
 * and {@code kiln run} of a kiln process; it is thread-safe. Open it after
 * {@link Userns#ensureInside} (kiln must be root, really or in its user namespace).
 */
public final class Sandbox implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Sandbox.class.getName());
    static final int WATCHDOG_MILLIS = 500;
    static final long NAMESPACES = IsolationBackend.Namespaces.NAMESPACES;

    /**
     * Paths (relative to the root) the runtime creates as mount points when the image lacks them;
     * they land in the upper dir, empty. A snapshot drops those the lower dirs did not have.
     */
    public static final List<String> MOUNT_POINTS = List.of(
            "proc", "dev", "etc/hosts", "etc/hostname", "etc/resolv.conf");

    /** The prefix of the run directories a sandbox makes in {@code java.io.tmpdir}. */
    static final String RUN_DIR_PREFIX = "kiln-run-";

    private final SpawnerLink spawner;
    private final SandboxOptions options;
    private final IdMapping mapping;
    private final Path runDir;
    /** The run directory when the sandbox made it (in {@code java.io.tmpdir}); null when it is the caller's. */
    private final OwnedTempDir ownedRunDir;
    /** How containers are isolated; replaced once if a remembered probe answer turns out stale. */
    private volatile Choice choice;
    /** The user namespace containers enter, when kiln is real root over its subordinate range. */
    private final ContainerUserns userns;
    private final AtomicLong counter = new AtomicLong();
    private static final int HELPERS_IDLE_SECONDS = 30;
    private final ExecutorService helpers = helperThreads();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread cleanup = new Thread(this::close, "kiln-sandbox-cleanup");

    /**
     * The chosen backend, its confinement, and why containers' chown calls are not recorded (null:
     * they are; "not needed" with a range). {@code memo}: the probe's answer was remembered, not
     * probed, and no container has confirmed it yet (null otherwise).
     */
    private record Choice(IsolationBackend backend, Confinement confinement, String chownProblem, ProbeMemo memo) {
        Choice confirmed() {
            return new Choice(backend, confinement, chownProblem, null);
        }
    }

    private Sandbox(SpawnerLink spawner, SandboxOptions options, Choice choice, IdMapping mapping,
            ContainerUserns userns, Path runDir, OwnedTempDir ownedRunDir) {
        this.userns = userns;
        this.spawner = spawner;
        this.options = options;
        this.choice = choice;
        this.mapping = mapping;
        this.runDir = runDir;
        this.ownedRunDir = ownedRunDir;
    }

    /** Opens a sandbox with this JVM's class path and a private temporary run directory. */
    public static Sandbox open(Isolation requested) {
        return open(SandboxOptions.of(requested));
    }

    /** Opens a sandbox with this JVM's class path and a private temporary run directory. */
    public static Sandbox open(SandboxOptions options) {
        return open(options, null, System.getProperty("java.class.path"));
    }

    /**
     * Opens a sandbox: starts the spawner (with {@code classpath}, which must hold kiln and JNA),
     * then probes which isolation works — unless the answer is remembered ({@link
     * SandboxOptions#withProbeMemos}), in which case the spawner finishes starting while the caller
     * works, up to the first container. {@code runDir} holds per-execution scratch files (null: a
     * private temporary directory); it is deleted on {@link #close()}.
     */
    public static Sandbox open(SandboxOptions options, Path runDir, String classpath) {
        checkRoot();
        return starting(classpath).open(options, runDir);
    }

    /**
     * Starts a sandbox's spawner JVM now, with this JVM's class path, and returns at once: its
     * start-up overlaps what the caller does before {@link Starting#open} (e.g. parsing its command
     * line, finding and extracting an image), and the sandbox's options are given there. The
     * spawner is started the same way and as quiet as at {@link #open}; a failure to start it is
     * reported by {@link Starting#open}, as {@link #open} reports it.
     */
    public static Starting starting() {
        checkRoot();
        return starting(System.getProperty("java.class.path"));
    }

    private static Starting starting(String classpath) {
        try {
            return new Starting(Spawner.launch(classpath), null);
        } catch (IOException e) {
            return new Starting(null, e);
        }
    }

    /**
     * A sandbox whose spawner JVM is starting; {@link #open} once, or close to stop the spawner
     * unused (closing again, or after {@link #open}, does nothing).
     */
    public static final class Starting implements AutoCloseable {
        private final Spawner.Launch launch;
        private final IOException failed;
        private boolean taken;

        private Starting(Spawner.Launch launch, IOException failed) {
            this.launch = launch;
            this.failed = failed;
        }

        /** Opens the sandbox with this spawner, as {@link Sandbox#open(SandboxOptions)} does. */
        public synchronized Sandbox open(SandboxOptions options) {
            return open(options, null);
        }

        private synchronized Sandbox open(SandboxOptions options, Path runDir) {
            if (taken) {
                throw new IllegalStateException("this spawner was already taken or stopped");
            }
            taken = true;
            return Sandbox.open(options, runDir, new SpawnerLink(launch, failed));
        }

        /** Stops the spawner if no sandbox took it. */
        @Override
        public synchronized void close() {
            if (!taken && launch != null) {
                launch.close();
            }
            taken = true;
        }
    }

    /** The sandbox's spawner, connected at its first use. */
    private static final class SpawnerLink {
        private final Spawner.Launch launch;
        private IOException failed;
        private Spawner spawner;
        private boolean closed;

        SpawnerLink(Spawner.Launch launch, IOException failed) {
            this.launch = launch;
            this.failed = failed;
        }

        /** Waits for the spawner to be ready (once); fails as it failed to start. */
        synchronized Spawner get() throws IOException {
            if (spawner == null && failed == null) {
                if (closed) {
                    throw new IOException("the sandbox is closed");
                }
                long waiting = System.nanoTime();
                try {
                    spawner = launch.connect();
                    LOG.log(Level.DEBUG, "spawner JVM ready; waited {0} ms for it",
                            (System.nanoTime() - waiting) / 1_000_000);
                } catch (IOException e) {
                    failed = e;
                }
            }
            if (failed != null) {
                throw failed;
            }
            return spawner;
        }

        /** Watchdog retries so far (none before the spawner is connected). */
        synchronized long retries() {
            return spawner == null ? 0 : spawner.retries();
        }

        synchronized void close() {
            closed = true;
            if (spawner != null) {
                spawner.close();
            } else if (launch != null) {
                launch.close();
            }
        }
    }

    private static void checkRoot() {
        if (Syscalls.geteuid() != 0) {
            throw new SandboxException("kiln runs as uid " + Syscalls.geteuid()
                    + " outside a user namespace, so it cannot create containers",
                    "kiln re-executes itself in a user namespace at start (Userns.ensureInside); "
                            + "call it before opening a sandbox");
        }
    }

    private static SandboxException cannotStartSpawner(IOException e) {
        return new SandboxException("cannot start kiln's spawner process: " + e.getMessage(),
                "check that java can start and that " + System.getProperty("java.io.tmpdir")
                        + " is writable", null, 0, e);
    }

    private static Sandbox open(SandboxOptions options, Path runDir, SpawnerLink spawner) {
        IdMapping kilns = IdMapping.current();
        // real root over its own range: containers get the range only, in a namespace of their own
        IdMapping mapping = kilns.withoutHostRoot();
        Path dir;
        OwnedTempDir owned = null;
        try {
            if (runDir != null) {
                dir = Files.createDirectories(runDir);
            } else {
                // what killed kilns left goes first: a kiln killed with SIGKILL cannot remove its own
                Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
                OwnedTempDir.sweep(tmp, RUN_DIR_PREFIX);
                owned = OwnedTempDir.create(tmp, RUN_DIR_PREFIX);
                dir = owned.dir();
            }
        } catch (IOException e) {
            spawner.close();
            throw cannotStartSpawner(e);
        }
        ContainerUserns userns = null;
        try {
            userns = kilns.mapsHostRootAside() ? ContainerUserns.create(kilns) : null;
            Choice chosen = choose(options, mapping, spawner, dir, true);
            Sandbox sandbox = new Sandbox(spawner, options, chosen, mapping, userns, dir, owned);
            Runtime.getRuntime().addShutdownHook(sandbox.cleanup);
            sandbox.idMappingLimitation().ifPresent(m -> LOG.log(Level.WARNING, m));
            if (chosen.backend() instanceof IsolationBackend.Namespaces n && options.overlay()
                    && n.overlayProblem() != null) {
                LOG.log(Level.WARNING, "overlay cannot be mounted where kiln keeps its upper dirs ({0}): "
                        + "each container gets a private copy of its root filesystem, which is slower",
                        n.overlayProblem());
            }
            return sandbox;
        } catch (RuntimeException e) {
            spawner.close();
            if (userns != null) {
                userns.close();
            }
            removeRunDir(dir, owned);
            throw e;
        }
    }

    /**
     * Probes (or, with {@code useMemo}, recalls) what works here and chooses the backend for the
     * isolation asked for; remembers an answer where everything works.
     */
    private static Choice choose(SandboxOptions options, IdMapping mapping, SpawnerLink spawner, Path dir,
            boolean useMemo) {
        Path upperDirs = options.upperDirs() != null ? options.upperDirs() : dir;
        // without upper dirs the probe mounts in the run dir, a new one in the same place each time
        ProbeMemo memo = options.probeMemos() == null ? null
                : ProbeMemo.in(options.probeMemos(), options.upperDirs() != null ? upperDirs : dir.getParent(), options);
        boolean remembered = useMemo && memo != null && memo.remembered();
        Probe probe;
        try {
            probe = remembered ? new Probe(null, null) : Probe.run(spawner.get(), upperDirs);
        } catch (IOException e) {
            throw cannotStartSpawner(e);
        }
        IsolationBackend chosen = choose(options.isolation(), probe, options);
        boolean probesChown = chosen.canRecordOwners() && !mapping.isInitial() && mapping.isSingle()
                && options.recordOwners();
        String chownProblem;
        try {
            chownProblem = !chosen.canRecordOwners() || mapping.isInitial() || !mapping.isSingle() ? "not needed"
                    : !options.recordOwners() ? "not asked for" : remembered ? null : probeChown(spawner.get(), dir);
        } catch (IOException e) {
            throw cannotStartSpawner(e);
        }
        if (memo != null && !remembered) {
            if (probe.namespaceProblem() == null && probe.overlayProblem() == null
                    && (!probesChown || chownProblem == null)) {
                memo.remember();
            } else {
                memo.forget();
            }
        }
        LOG.log(Level.DEBUG, "isolation {0} (asked {1}); root {2}; id mapping {3}; chown recorder {4}; {5}",
                chosen.isolation(), options.isolation(), chosen.describeRoot(),
                mapping.isInitial() ? "host" : mapping.isSingle() ? "single" : "range",
                chownProblem == null ? "works" : chownProblem,
                remembered ? "probe remembered in " + memo.file() : "probed");
        return new Choice(chosen, Confinement.of(chosen.isolation(), mapping), chownProblem,
                remembered ? memo : null);
    }

    /** The backend for {@code requested}, given what the probe found. */
    private static IsolationBackend choose(Isolation requested, Probe probe, SandboxOptions options) {
        IsolationBackend namespaces = new IsolationBackend.Namespaces(
                options.overlay() ? probe.overlayProblem() : "not asked for");
        switch (requested) {
            case CHROOT:
                return new IsolationBackend.Chroot(probe.namespaceProblem());
            case USERNS:
                if (probe.namespaceProblem() != null) {
                    throw new SandboxException("cannot create namespaces: "
                            + probe.namespaceProblem(), HostLimits.namespaceFix());
                }
                return namespaces;
            default:
                if (probe.namespaceProblem() == null) {
                    return namespaces;
                }
                LOG.log(Level.DEBUG, "namespaces unavailable ({0}): using chroot isolation",
                        probe.namespaceProblem());
                return new IsolationBackend.Chroot(probe.namespaceProblem());
        }
    }

    public Isolation isolation() {
        return choice.backend().isolation();
    }

    public IdMapping idMapping() {
        return mapping;
    }

    /**
     * What the id mapping cannot do, when only one id is mapped: said once at open, and worth
     * repeating beside a failed RUN.
     */
    public Optional<String> idMappingLimitation() {
        if (mapping.isInitial() || !mapping.isSingle()) {
            return Optional.empty();
        }
        String chownProblem = choice.chownProblem();
        String chown = chownProblem == null
                ? "chown inside containers is recorded for the layers but not applied on disk (stat "
                        + "inside still shows root), and a container of another user runs as root that "
                        + "only reports the user's ids"
                : "chown to other users and groups inside containers fails (EINVAL; kiln cannot record "
                        + "it: " + chownProblem + ") and containers cannot run as other users";
        return Optional.of("only root is mapped in kiln's user namespace: " + chown
                + "; install the uidmap package (newuidmap, newgidmap) and give user "
                + HostLimits.userName() + " ranges in /etc/subuid and /etc/subgid");
    }

    /** True when containers' chown calls succeed and are recorded as {@link OwnerTags}. */
    public boolean recordsOwners() {
        return choice.chownProblem() == null;
    }

    /** Whether a container can hand kiln a seccomp listener: null when it can, else why not. */
    private static String probeChown(Spawner spawner, Path dir) {
        Path socket = dir.resolve("chown-probe.sock");
        if (!ChownRecorder.fits(socket)) {
            return "the socket path " + socket + " is too long";
        }
        try (ChownRecorder recorder = ChownRecorder.listen(socket, null)) {
            ChildProgram program = new ChildProgram()
                    .dieWithParent(Syscalls.SIGKILL)
                    .connectUnix(recorder.socket(), ContainerSetup.FD_CHOWN_SOCKET)
                    .chownListener(ContainerSetup.FD_CHOWN_SOCKET, true)
                    .exec(List.of("/nonexistent/kiln-probe"), List.of("kiln-probe"), List.of());
            Spawner.Outcome outcome = spawner.spawn(0, program, WATCHDOG_MILLIS);
            if (outcome instanceof Spawner.Failed f) {
                return program.isExec(f.op()) ? null
                        : (f.cloneFailed() ? "clone" : program.describe(f.op())) + ": " + Errno.describe(f.errno());
            }
            ((Spawner.Started) outcome).exit().join();
            return null;
        } catch (IOException e) {
            return e.getMessage();
        } finally {
            FileTrees.deleteQuietly(socket);
        }
    }

    /** True when overlay root filesystems are mounted as overlays (not copied). */
    public boolean overlaySupported() {
        return !choice.backend().copiesRoot();
    }

    /** Watchdog retries over this sandbox's life. */
    public long watchdogRetries() {
        return spawner.retries();
    }

    /** Runs {@code spec} to the end. */
    public ExecResult run(ExecSpec spec) throws InterruptedException {
        return start(spec).waitFor();
    }

    /** Starts {@code spec}; returns once the process has called execve. */
    public Execution start(ExecSpec spec) {
        Choice c = choice;
        try {
            return start(spec, c);
        } catch (Stale stale) {
            // the remembered probe answer no longer holds: probe, and start once more as chosen now
            return start(spec, reprobe(c, stale));
        }
    }

    /** The first container failed where a remembered probe answer said it would not. */
    private static final class Stale extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient SandboxException failure;

        Stale(SandboxException failure) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
        }
    }

    /**
     * Probes again after a container failed as a remembered answer said it would not, forgets the
     * answer, and returns what to use now; throws the container's failure when the probe agrees
     * with what was remembered (the failure is the container's own).
     */
    private synchronized Choice reprobe(Choice stale, Stale failed) {
        if (choice != stale) {
            return choice; // another thread probed already
        }
        stale.memo().forget();
        Choice fresh = choose(options, mapping, spawner, runDir, false);
        if (fresh.backend().equals(stale.backend()) && java.util.Objects.equals(fresh.chownProblem(),
                stale.chownProblem())) {
            choice = fresh;
            throw failed.failure;
        }
        choice = fresh;
        LOG.log(Level.WARNING, "what kiln remembered of this machine''s isolation no longer holds ({0}); "
                + "isolation now: {1}", failed.failure.getMessage(), describe());
        return fresh;
    }

    private Execution start(ExecSpec spec, Choice c) {
        IsolationBackend backend = c.backend();
        boolean fake = fakesIdentity(spec.user(), c);
        if (!fake) {
            checkIdentity(spec.user());
        }
        Path dir = runDir.resolve(Long.toString(counter.incrementAndGet()));
        ExecDir prepared;
        try {
            Files.createDirectory(dir);
            prepared = ExecDir.prepare(dir, spec, backend.copiesRoot());
        } catch (IOException e) {
            FileTrees.deleteQuietly(dir);
            throw new SandboxException("cannot prepare the container's files in " + dir + ": "
                    + e.getMessage(), null, null, 0, e);
        }
        ChownRecorder recorder = chownRecorder(dir, fake ? spec.user() : null, c);
        if (fake && recorder == null) {
            checkIdentity(spec.user());
        }
        ChildProgram program = backend.program(spec, prepared.setup(), mapping, c.confinement(), recorder, userns);
        long flags = backend.cloneFlags(spec);
        Spawner running;
        try {
            running = spawner.get();
        } catch (IOException e) {
            prepared.abandon();
            closeQuietly(recorder);
            throw cannotStartSpawner(e);
        }
        Spawner.Outcome outcome;
        try {
            outcome = running.spawn(flags, program, WATCHDOG_MILLIS);
        } catch (IOException e) {
            prepared.abandon();
            closeQuietly(recorder);
            throw new SandboxException("kiln's spawner process failed: " + e.getMessage(),
                    "run again with --debug; the spawner's own error output is above", null, 0, e);
        } finally {
            prepared.releaseFifos();
        }
        if (outcome instanceof Spawner.Failed f) {
            prepared.abandon();
            closeQuietly(recorder);
            SandboxException failure = failure(spec, program, f, backend);
            if (c.memo() != null && !program.isExec(f.op()) && !f.watchdogGaveUp()) {
                // any set-up step may be one the remembered answer vouched for (clone, the mounts, the chown listener)
                throw new Stale(failure);
            }
            throw failure;
        }
        if (c.memo() != null) {
            confirm(c);
        }
        Spawner.Started s = (Spawner.Started) outcome;
        startRecorder(recorder, helpers);
        Function<Integer, ExecResult> end = status -> {
            if (recorder != null) {
                recorder.awaitEnd(); // every chown answered and tagged before the changes are read
            }
            return ExecResult.fromWaitStatus(status, s.retries()).withChanges(keepChanges(prepared));
        };
        // nothing to wait for or move (the usual overlay RUN): the result is complete when the
        // spawner's answer is read, one thread hand-off fewer between the exit and the caller
        CompletableFuture<ExecResult> result = recorder == null && prepared.changesInPlace()
                ? s.exit().thenApply(end) : s.exit().thenApplyAsync(end, helpers);
        result.whenCompleteAsync((r, e) -> prepared.finished(), helpers);
        return new Execution(s.pid(), s.retries(), result, prepared.stdin(), prepared.stdout(),
                prepared.stderr());
    }

    /**
     * True when a container of {@code user} runs as root with its identity faked by the chown
     * recorder: the user is not mapped (only root is) and the recorder works. Its {@code getuid}
     * family reports the user's ids and the files it creates are the user's in the layer (see
     * docs/runtime.md); its permissions are root's.
     */
    public boolean fakesIdentity(User user) {
        return fakesIdentity(user, choice);
    }

    private boolean fakesIdentity(User user, Choice c) {
        return c.chownProblem() == null && c.backend().canRecordOwners()
                && (!mapping.mapsUid(user.uid()) || !mapping.mapsGid(user.gid()));
    }

    /** A container started as the remembered answer said: it holds, no re-probe from here on. */
    private synchronized void confirm(Choice c) {
        if (choice == c) {
            choice = c.confirmed();
        }
    }

    /** A recorder listening in the execution's directory, when this sandbox records owners. */
    private ChownRecorder chownRecorder(Path dir, User faked, Choice c) {
        if (c.chownProblem() != null || !c.backend().canRecordOwners()) {
            return null;
        }
        Path socket = dir.resolve("chown.sock");
        if (!ChownRecorder.fits(socket)) {
            LOG.log(Level.WARNING, "chown in this container is not recorded: the socket path {0} is too long", socket);
            return null;
        }
        try {
            return ChownRecorder.listen(socket, faked);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "chown in this container is not recorded: {0}", e.getMessage());
            return null;
        }
    }

    private static void startRecorder(ChownRecorder recorder, Executor threads) {
        if (recorder == null) {
            return;
        }
        try {
            recorder.start(threads);
        } catch (IOException e) {
            recorder.close();
            LOG.log(Level.WARNING, "chown in this container fails (ENOSYS): kiln did not get its seccomp "
                    + "listener: {0}", e.getMessage());
        }
    }

    private static void closeQuietly(ChownRecorder recorder) {
        if (recorder != null) {
            recorder.close();
        }
    }

    /**
     * Threads for each container's chown recorder and for keeping its changes once it has ended
     * (the tree walk of a copied root can take seconds: not on the spawner's reader thread). They
     * are kept for a while between containers, so that a RUN does not start two threads; daemons,
     * ending on their own when idle.
     */
    private static ExecutorService helperThreads() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, HELPERS_IDLE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "kiln-container-helper");
                    t.setDaemon(true);
                    return t;
                });
        return pool;
    }

    private static RootChanges keepChanges(ExecDir prepared) {
        try {
            return prepared.keepChanges();
        } catch (IOException e) {
            throw new SandboxException("cannot keep the container's changes to its root filesystem: "
                    + e.getMessage(), null, "snapshot", 0, e);
        }
    }

    private void checkIdentity(User user) {
        String hint = "install the uidmap package (newuidmap, newgidmap) and give user "
                + HostLimits.userName() + " ranges in /etc/subuid and /etc/subgid";
        if (!mapping.mapsUid(user.uid()) || !mapping.mapsGid(user.gid())) {
            throw new SandboxException("user " + user.uid() + ":" + user.gid()
                    + " is not mapped in kiln's user namespace (only "
                    + (mapping.isSingle() ? "root is" : "ids of the subordinate range are") + ")",
                    hint);
        }
        // Where setgroups is denied (the single mapping: no newgidmap), the groups are not set:
        // the process keeps the caller's, which the namespace shows as 0 (the caller's own gid)
        // and 65534 (the rest). Only root is mapped there, and Docker gives root group 0 too.
    }

    private SandboxException failure(ExecSpec spec, ChildProgram program, Spawner.Failed f,
            IsolationBackend backend) {
        String errno = Errno.describe(f.errno());
        if (f.cloneFailed()) {
            return new SandboxException("cannot create the container's namespaces: clone: " + errno,
                    HostLimits.namespaceFix(f.errno()), "clone", f.errno(), null);
        }
        if (f.watchdogGaveUp()) {
            return new SandboxException("the container process did not start after "
                    + f.retries() + " attempts (stuck before exec)",
                    "the machine may be overloaded; run again", "clone", 0, null);
        }
        String step = program.describe(f.op());
        if (program.isExec(f.op())) {
            String cmd = spec.argv().get(0);
            String message = f.errno() == 2
                    ? "exec: \"" + cmd + "\": executable file not found"
                            + (cmd.contains("/") ? "" : " in $PATH")
                    : "exec: \"" + cmd + "\": " + errno;
            return new SandboxException(message, f.errno() == 13
                    ? "check that the file is executable and its interpreter exists" : null,
                    step, f.errno(), null);
        }
        String chroot = chrootWouldHelp(backend) ? "try --isolation=chroot, and " : "";
        String hint = program.isMountOf(f.op(), "overlay")
                ? "overlay could not be mounted though the start-up probe mounted one; " + chroot
                        + "report it with the --debug output"
                : f.errno() == 1 || f.errno() == 13
                        ? "the runtime lacks a permission here" + HostLimits.sysctlNote() + "; " + chroot
                                + "report it with the --debug output"
                        : null;
        return new SandboxException("container setup failed: " + step + ": " + errno, hint, step,
                f.errno(), null);
    }

    /** Why namespaces were refused at open (then isolation is chroot), if they were. */
    public Optional<String> namespaceProblem() {
        return choice.backend() instanceof IsolationBackend.Chroot c ? Optional.ofNullable(c.namespaceProblem()) : Optional.empty();
    }

    /** Why containers get a copied root instead of an overlay, if they do. */
    public Optional<String> overlayProblem() {
        return choice.backend() instanceof IsolationBackend.Namespaces n ? Optional.ofNullable(n.overlayProblem())
                : Optional.of("chroot isolation");
    }

    /**
     * Why a fresh proc cannot be mounted in a container here (then kiln's own /proc is bound), if
     * it cannot: probed with one container that mounts proc and exits.
     */
    public Optional<String> procProblem() {
        Path target = runDir.resolve("proc-probe");
        try {
            Files.createDirectories(target);
            ChildProgram program = new ChildProgram()
                    .dieWithParent(Syscalls.SIGKILL)
                    .mount(null, "/", null, ChildProgram.MS_REC | ChildProgram.MS_PRIVATE, null,
                            "make the mount namespace private")
                    .mount("proc", target.toString(), "proc", ChildProgram.MS_NOSUID | ChildProgram.MS_NODEV
                            | ChildProgram.MS_NOEXEC, null, "mount proc")
                    .exec(List.of("/nonexistent/kiln-probe"), List.of("kiln-probe"), List.of());
            Spawner.Outcome outcome = spawner.get().spawn(NAMESPACES, program, WATCHDOG_MILLIS);
            if (outcome instanceof Spawner.Failed f && !program.isExec(f.op())) {
                return Optional.of(program.describe(f.op()) + ": " + Errno.describe(f.errno()));
            }
            if (outcome instanceof Spawner.Started started) {
                started.exit().join();
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        } finally {
            FileTrees.deleteQuietly(target);
        }
    }

    /** chroot is a way out only for real root not already using it (rootless kiln cannot chroot). */
    private static boolean chrootWouldHelp(IsolationBackend backend) {
        return backend.isolation() != Isolation.CHROOT && System.getenv(Userns.MARKER) == null
                && Syscalls.geteuid() == 0;
    }

    /**
     * One line saying how containers are isolated here, e.g. {@code userns (overlay, subuid range
     * 100000-165535)} or {@code chroot (copy + tree walk; namespaces: clone: EPERM)}.
     */
    public String describe() {
        IsolationBackend backend = choice.backend();
        return backend.isolation().name().toLowerCase(java.util.Locale.ROOT) + " (" + backend.describeRoot()
                + ", " + (userns != null ? "root's own user namespace: " : "") + describeIds(mapping) + ")";
    }

    static String describeIds(IdMapping mapping) {
        if (mapping.isInitial()) {
            return System.getenv(Userns.MARKER) == null ? "host ids" : "user namespace, every id mapped to itself";
        }
        if (mapping.isSingle()) {
            return "single id mapping: only root";
        }
        return mapping.uids().stream().filter(r -> r.count() > 1).findFirst()
                .map(r -> "subuid range " + r.outside() + "-" + (r.outside() + r.count() - 1))
                .orElse("user namespace");
    }

    /** The directory of per-execution scratch files. */
    Path runDir() {
        return runDir;
    }

    private static void removeRunDir(Path dir, OwnedTempDir owned) {
        if (owned != null) {
            owned.close();
        } else {
            FileTrees.deleteQuietly(dir);
        }
    }

    /** Stops the spawner and deletes the run directory; idempotent, also run at JVM exit. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            spawner.close();
            if (userns != null) {
                userns.close();
            }
            removeRunDir(runDir, ownedRunDir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // already shutting down: this is the hook
            }
        }
    }

    /** What the start-up probe found: null problems mean it works. */
    record Probe(String namespaceProblem, String overlayProblem) {
        /** Probes with an overlay whose upper dir is in {@code upperDirs}, where RUN's will be. */
        static Probe run(Spawner spawner, Path upperDirs) {
            try {
                Files.createDirectories(upperDirs);
                Path p = Files.createTempDirectory(upperDirs, ".overlay-probe-");
                for (String d : List.of("lower", "upper", "work", "merged")) {
                    Files.createDirectories(p.resolve(d));
                }
                ChildProgram program = new ChildProgram()
                        .dieWithParent(Syscalls.SIGKILL)
                        .mount(null, "/", null, ChildProgram.MS_REC | ChildProgram.MS_PRIVATE, null,
                                "make the mount namespace private")
                        .mount("overlay", FileNames.text(p.resolve("merged")), "overlay", 0,
                                "lowerdir=" + p.resolve("lower") + ",upperdir=" + p.resolve("upper")
                                        + ",workdir=" + p.resolve("work") + "," + OverlayMarkers.MOUNT_OPTION,
                                "mount overlay")
                        .exec(List.of("/nonexistent/kiln-probe"), List.of("kiln-probe"), List.of());
                Spawner.Outcome outcome = spawner.spawn(NAMESPACES, program, WATCHDOG_MILLIS);
                FileTrees.deleteQuietly(p);
                if (outcome instanceof Spawner.Failed f) {
                    if (program.isExec(f.op())) {
                        return new Probe(null, null);
                    }
                    if (program.isMountOf(f.op(), "overlay")) {
                        return new Probe(null, "mount overlay: " + Errno.describe(f.errno()));
                    }
                    String step = f.cloneFailed() ? "clone" : program.describe(f.op());
                    return new Probe(step + ": " + Errno.describe(f.errno()) + HostLimits.sysctlNote(f.errno()),
                            "no namespaces");
                }
                ((Spawner.Started) outcome).exit().join();
                return new Probe(null, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
