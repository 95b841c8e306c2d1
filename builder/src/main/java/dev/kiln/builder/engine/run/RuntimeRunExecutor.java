package dev.kiln.builder.engine.run;

import dev.kiln.builder.dockerfile.RunInstruction;
import dev.kiln.builder.registry.LayerTap;
import dev.kiln.builder.snapshot.LayerDirs;
import dev.kiln.builder.store.StoreLayout;
import dev.kiln.oci.BlobSource;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layer.OverlayMarkers;
import dev.kiln.runtime.ExecResult;
import dev.kiln.runtime.ExecSpec;
import dev.kiln.runtime.Execution;
import dev.kiln.runtime.Isolation;
import dev.kiln.runtime.Mount;
import dev.kiln.runtime.Network;
import dev.kiln.runtime.RootChanges;
import dev.kiln.runtime.RootFs;
import dev.kiln.runtime.Sandbox;
import dev.kiln.runtime.SandboxOptions;
import dev.kiln.runtime.Stdio;
import dev.kiln.runtime.UserLookup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * RUN through kiln's runtime: the image's layers, each extracted once into the store's layer
 * directories, are the overlay's lower dirs; the step's upper dir receives its changes. The
 * {@link Sandbox} (and its spawner JVM) is opened at the first RUN that misses the cache, so a
 * fully cached build starts no container machinery. kiln must already be root (really or in its
 * user namespace).
 */
public final class RuntimeRunExecutor implements RunExecutor {
    private static final System.Logger LOG = System.getLogger(RuntimeRunExecutor.class.getName());
    private final Isolation isolation;
    private final Path upperDirs;
    private final Path probeMemos;
    private final LayerDirs layers;
    /** The syncs of RUNs' upper dirs from volatile mounts, until {@link #keepAsLayer} waits for them. */
    private final Map<Path, CompletableFuture<Void>> syncing = new ConcurrentHashMap<>();
    /**
     * The RUNs' output pumps and upper-dir syncs, and the early write-back of extracted layers:
     * kept between RUNs (daemons, ending when idle), so that a RUN does not start three threads.
     */
    private final ExecutorService threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "kiln-run-helper");
                t.setDaemon(true);
                return t;
            });
    /** A sandbox whose spawner was started before this executor (null: none), until the sandbox is opened. */
    private Sandbox.Starting starting;
    private Sandbox sandbox;

    /** @param store the local store: its layers are extracted there, and upper dirs made in its scratch space */
    public RuntimeRunExecutor(Isolation isolation, StoreLayout store, BlobSource blobs) {
        this(isolation, store, blobs, null);
    }

    /**
     * @param starting a sandbox whose spawner JVM is already starting ({@link Sandbox#starting}), which
     *     this executor opens at its first container and stops at {@link #close} if none came; null:
     *     the sandbox starts its spawner when it is opened
     */
    public RuntimeRunExecutor(Isolation isolation, StoreLayout store, BlobSource blobs, Sandbox.Starting starting) {
        this.isolation = isolation;
        this.starting = starting;
        this.upperDirs = store.tmp();
        this.probeMemos = store.probeMemos();
        // a layer just extracted is written back while the build goes on, not by the first RUN's sync
        EarlyWriteBack writeBack = new EarlyWriteBack(RootFs::syncUpper, threads);
        this.layers = new LayerDirs(store, blobs, writeBack::request);
    }

    private synchronized Sandbox sandbox() {
        if (sandbox == null) {
            SandboxOptions options = SandboxOptions.of(isolation).withUpperDirs(upperDirs).withProbeMemos(probeMemos);
            Sandbox.Starting started = starting;
            starting = null;
            sandbox = started != null ? started.open(options) : Sandbox.open(options);
        }
        return sandbox;
    }

    /** Opens the sandbox (probing what works here); how it isolates containers. */
    @Override
    public String prepare() {
        return sandbox().describe();
    }

    @Override
    public void prepareLayers(List<dev.kiln.builder.snapshot.LayerBlob> blobs) {
        blobs.forEach(layers::dir);
    }

    @Override
    public LayerTap layerTap() {
        return layers.tap();
    }

    @Override
    public Result run(RunRequest request) throws InterruptedException {
        List<Path> lowers = request.layers().stream().map(layers::dir).toList();
        Path work = request.upperDir().resolveSibling(request.upperDir().getFileName() + ".work");
        UserLookup.Resolved who = new UserLookup(lowers).resolve(request.user());
        ExecSpec spec = ExecSpec.of(RootFs.overlay(lowers, request.upperDir(), work).withVolatileUpper(), request.argv())
                .withEnv(who.withHome(request.env()))
                .withUser(who.user())
                .withWorkDir(request.workingDir())
                .withNetwork(request.network() == RunInstruction.Network.NONE ? Network.NONE : Network.HOST)
                .withStdio(Stdio.NULL, Stdio.PIPE, Stdio.PIPE)
                .withMounts(mounts(request));
        if (!request.mounts().isEmpty() && sandbox().isolation() == Isolation.CHROOT) {
            throw new dev.kiln.oci.KilnException("RUN --mount is not supported with --isolation=chroot "
                    + "(it has no mount namespace to mount in)", "use --isolation=userns where user namespaces work", null);
        }
        try {
            Execution ex = sandbox().start(spec);
            CompletableFuture<Void> out = pump(ex.stdout(), request);
            CompletableFuture<Void> err = pump(ex.stderr(), request);
            ExecResult r = ex.waitFor();
            awaitPump(out);
            awaitPump(err);
            if (r.changes() == RootChanges.VOLATILE_OVERLAY && r.succeeded()) { // a failed RUN's dir is deleted
                syncing.put(request.upperDir(), CompletableFuture.runAsync(() -> syncUpper(request.upperDir()), threads));
            }
            dropMountPoints(request.upperDir(), lowers);
            boolean kept = r.changes() == RootChanges.OVERLAY || r.changes() == RootChanges.VOLATILE_OVERLAY
                    || r.changes() == RootChanges.TREE_DIFF;
            boolean faked = sandbox().fakesIdentity(who.user());
            return new Result(r.exitCode(), kept, sandbox().recordsOwners(),
                    faked ? new dev.kiln.builder.snapshot.Owner(who.user().uid(), who.user().gid()) : null);
        } finally {
            FileTrees.deleteQuietly(work);
        }
    }

    /**
     * Keeps the upper dir as the layer's directory, which later steps and builds trust as it is: an
     * upper dir of a volatile mount is first on disk (its sync, started when the container ended,
     * ran while the snapshot read the dir), as a mount without {@code volatile} had it when the
     * container ended; a failed sync keeps it out of the store.
     */
    @Override
    public boolean keepAsLayer(Path upperDir, dev.kiln.builder.snapshot.LayerBlob layer) throws InterruptedException {
        CompletableFuture<Void> sync = syncing.remove(upperDir);
        if (sync != null) {
            try {
                sync.get();
            } catch (ExecutionException e) {
                LOG.log(System.Logger.Level.DEBUG, "{0} not kept as a layer dir: {1}", upperDir, e.getCause().toString());
                return false;
            }
        }
        return layers.adopt(upperDir, layer);
    }

    /** syncfs of the upper dir's file system (on one of {@link #threads}). */
    private static void syncUpper(Path upperDir) {
        try {
            RootFs.syncUpper(upperDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Mount> mounts(RunRequest request) {
        List<Mount> out = new ArrayList<>(request.mounts());
        request.files().forEach((target, file) -> out.add(new Mount.Bind(file, target, true)));
        return out;
    }

    /** Files the runtime bind-mounts over; BuildKit keeps them out of layers when the image lacks them. */
    static final List<String> MOUNT_POINTS = List.of("etc/hostname", "etc/hosts", "etc/resolv.conf");
    /** Directories the runtime mounts on (BuildKit's mount stubs), likewise. */
    static final List<String> MOUNT_DIRS = List.of("dev", "proc", "sys");

    /** Removes the empty mount points the runtime had to create in the upper dir (BuildKit's stub cleanup). */
    static void dropMountPoints(Path upper, List<Path> lowers) {
        for (String d : MOUNT_DIRS) {
            Path dir = upper.resolve(d);
            try (var entries = Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) ? Files.list(dir) : null) {
                if (entries != null && entries.findAny().isEmpty()
                        && lowers.stream().noneMatch(l -> Files.exists(l.resolve(d), LinkOption.NOFOLLOW_LINKS))) {
                    Files.delete(dir);
                }
            } catch (IOException e) {
                // keep it
            }
        }
        for (String p : MOUNT_POINTS) {
            Path f = upper.resolve(p);
            try {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && Files.size(f) == 0
                        && lowers.stream().noneMatch(l -> Files.exists(l.resolve(p), LinkOption.NOFOLLOW_LINKS))) {
                    Files.delete(f);
                    Path etc = f.getParent();
                    try (var left = Files.list(etc)) {
                        if (left.findAny().isEmpty() && lowers.stream().anyMatch(l -> Files.isDirectory(l.resolve("etc")))
                                && !OverlayMarkers.isOpaque(etc)) {
                            Files.delete(etc);
                        }
                    }
                }
            } catch (IOException e) {
                // keep it: a stray empty file is harmless
            }
        }
    }

    /** Passes the process's output on, line by line, on one of {@link #threads}, until it ends. */
    private CompletableFuture<Void> pump(InputStream in, RunRequest request) {
        return CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    request.output().accept(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, threads);
    }

    private static void awaitPump(CompletableFuture<Void> pump) throws InterruptedException {
        try {
            pump.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // as the listener threw it (the pump thread used to die with it instead)
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public synchronized void close() {
        syncing.clear(); // those of RUNs whose snapshot failed: their dirs were deleted
        threads.shutdown(); // the pool's threads end once idle; a sync under way finishes
        if (starting != null) {
            starting.close(); // no container ran: its spawner is stopped unused
            starting = null;
        }
        if (sandbox != null) {
            sandbox.close();
            sandbox = null;
        }
    }
}
