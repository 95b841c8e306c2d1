package dev.kiln.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A userspace TCP forwarder for {@code -p HOST:CONTAINER} with HOST ≠ CONTAINER: containers share
 * the host's network, so the container's port is the host's; this listens on the HOST port and
 * relays each connection to {@code 127.0.0.1:CONTAINER}, as Docker's userland proxy does. It lives
 * in the process that supervises the container (also a detached one) and is closed when the
 * container ends; a connection made before the container listens is closed at once.
 */
public final class PortForward implements Closeable {
    private static final System.Logger LOG = System.getLogger(PortForward.class.getName());

    private final ServerSocket server;
    private final int containerPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private PortForward(ServerSocket server, int containerPort) {
        this.server = server;
        this.containerPort = containerPort;
    }

    /**
     * Listens on {@code bind:hostPort} now (so a port in use fails before the container starts)
     * and relays to the container's port on the loopback address.
     *
     * @param bind the address to listen on (null: every address, as Docker's default)
     */
    public static PortForward open(InetAddress bind, int hostPort, int containerPort) {
        ServerSocket server = null;
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(bind, hostPort));
        } catch (IOException e) {
            closeQuietly(server);
            String hint = hostPort < 1024
                    ? "ports below 1024 need privileges: choose a port of 1024 or more, or lower "
                            + "net.ipv4.ip_unprivileged_port_start"
                    : "choose another host port";
            throw new SandboxException("cannot publish port " + hostPort + ": " + e.getMessage(), hint);
        }
        PortForward f = new PortForward(server, containerPort);
        Thread accept = new Thread(f::acceptLoop, "kiln-port-" + hostPort);
        accept.setDaemon(true);
        accept.start();
        return f;
    }

    /** The port it listens on. */
    public int hostPort() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), containerPort));
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "port {0}: container port {1} refused: {2}", hostPort(), containerPort,
                        e.getMessage());
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            AtomicInteger directions = new AtomicInteger(2);
            pump(client, upstream, directions);
            pump(upstream, client, directions);
        }
    }

    /**
     * Copies {@code from} to {@code to}, then half-closes {@code to}; the second direction to end
     * (or any error) closes both sockets.
     */
    private void pump(Socket from, Socket to, AtomicInteger directions) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            boolean failed = false;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    out.write(buf, 0, n);
                }
                to.shutdownOutput();
            } catch (IOException e) {
                failed = true;
            }
            if (directions.decrementAndGet() == 0 || failed) {
                open.remove(from);
                open.remove(to);
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "kiln-port-" + hostPort() + "-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Stops listening and drops every relayed connection. */
    @Override
    public void close() {
        closeQuietly(server);
        open.forEach(PortForward::closeQuietly);
        open.clear();
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
