package dev.kiln.builder.registry;

import dev.kiln.oci.Threads;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An {@link HttpClient} together with a way to end it when its owner is done.
 *
 * <p>A client keeps a selector thread that waits in {@code epoll_wait}, i.e. in native code, for as
 * long as the client lives, and HotSpot's exit waits up to 300 ms for user threads in native
 * ({@code VM_Exit::wait_for_threads_in_native_to_block}): every command that talked to a registry
 * paid that after its last output. In a JVM that runs several builds (a Maven plugin) the thread
 * would also outlive its build. {@link #end()} stops it: on JDK 21 and later through
 * {@code HttpClient.shutdownNow()}; on 17, which has no such method, by interrupting the client's
 * own threads (interrupting a thread blocked in a selector wakes it, and the selector thread ends
 * when interrupted). To touch no other client's threads, the client is made on a short-lived
 * thread in a thread group of its own: the threads it starts inherit that group. (On JDK 17 an
 * ended client's empty group stays listed in its parent until the JVM ends, some hundred bytes a
 * client; making it a daemon group would drop it, but {@code setDaemon} is deprecated for removal.
 * From JDK 19 on, groups are weakly held.)
 */
public final class OwnedHttpClient {
    private static final System.Logger LOG = System.getLogger(OwnedHttpClient.class.getName());
    /** {@code HttpClient.shutdownNow()} (JDK 21+), or null. */
    private static final MethodHandle SHUTDOWN_NOW = shutdownNow();
    /** How long {@link #end()} waits for the client's threads to finish. */
    private static final Duration END_WAIT = Duration.ofSeconds(1);

    private final HttpClient client;
    private final ThreadGroup threads;
    private volatile boolean ended;

    private OwnedHttpClient(HttpClient client, ThreadGroup threads) {
        this.client = client;
        this.threads = threads;
    }

    /** Builds the client in a thread group of its own (see the class comment). */
    public static OwnedHttpClient build(HttpClient.Builder builder) {
        ThreadGroup group = new ThreadGroup("kiln-http-client");
        AtomicReference<HttpClient> made = new AtomicReference<>();
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        Thread maker = new Thread(group, () -> {
            try {
                made.set(builder.build());
            } catch (RuntimeException e) {
                failed.set(e);
            }
        }, "kiln-http-client-maker");
        maker.setDaemon(true);
        maker.start();
        Threads.joinUninterruptibly(maker, () -> {});
        if (failed.get() != null) {
            throw failed.get();
        }
        return new OwnedHttpClient(made.get(), group);
    }

    /**
     * The client, until {@link #end()}: afterwards this throws, because on JDK 17 a request sent
     * to a client whose selector thread has ended waits forever.
     */
    public HttpClient client() {
        if (ended) {
            throw new IllegalStateException("this HTTP client has been ended");
        }
        return client;
    }

    /**
     * Ends the client: exchanges still running fail, its threads stop (waits up to a second for
     * them).
     */
    public void end() {
        ended = true;
        if (SHUTDOWN_NOW != null) {
            try {
                SHUTDOWN_NOW.invoke(client);
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.DEBUG, "HttpClient.shutdownNow failed", e);
            }
        }
        Thread[] live = liveThreads();
        if (SHUTDOWN_NOW == null) {
            for (Thread t : live) {
                t.interrupt();
            }
        }
        long deadline = System.nanoTime() + END_WAIT.toNanos();
        for (Thread t : live) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                t.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The client's threads still alive (package-private for tests). */
    Thread[] liveThreads() {
        Thread[] all = new Thread[threads.activeCount() + 8];
        int n = threads.enumerate(all);
        Thread[] live = new Thread[n];
        System.arraycopy(all, 0, live, 0, n);
        return live;
    }

    private static MethodHandle shutdownNow() {
        try {
            return MethodHandles.publicLookup().findVirtual(HttpClient.class, "shutdownNow",
                    MethodType.methodType(void.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }
}
