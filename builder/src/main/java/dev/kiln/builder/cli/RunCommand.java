package dev.kiln.builder.cli;

import dev.kiln.builder.registry.ImagePuller;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.registry.TransferSettings;
import dev.kiln.builder.snapshot.LayerDirs;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.ContainerConfig;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.layer.DiffIdMismatchException;
import dev.kiln.runtime.ExecResult;
import dev.kiln.runtime.ExecSpec;
import dev.kiln.runtime.Execution;
import dev.kiln.runtime.Isolation;
import dev.kiln.runtime.Mount;
import dev.kiln.runtime.Network;
import dev.kiln.runtime.PortForward;
import dev.kiln.runtime.RootFs;
import dev.kiln.runtime.Sandbox;
import dev.kiln.runtime.SandboxOptions;
import dev.kiln.runtime.Stdio;
import dev.kiln.runtime.UserLookup;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "run", description = "Run a command in a new container from an image (rootless).",
        footer = {"", "Examples:", "  kiln run --rm busybox echo hello",
            "  kiln run --rm -e NAME=kiln -w /tmp -u 1000 busybox sh -c 'id; pwd; echo $NAME'",
            "", "The exit status is the container's (128+N when killed by signal N)."})
final class RunCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin RegistryOptions registry;
    @Mixin UserNamespace userns;
    @Spec CommandSpec spec;

    @Option(names = "--rm", description = "Remove the container's files when it exits.")
    boolean rm;

    @Option(names = {"-d", "--detach"}, description = "Run in the background; print the container ID "
            + "(see kiln ps, logs, stop, rm).")
    boolean detach;

    @Option(names = "--cid", hidden = true, description = "Internal: the id a detached run was given.")
    String cid;

    @Option(names = {"-i", "--interactive"}, description = "Keep stdin open (else /dev/null).")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Accepted for compatibility; no pseudo-terminal is allocated.")
    boolean tty;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VALUE]",
            description = "Set an environment variable (KEY alone copies kiln's own value).")
    List<String> env = new ArrayList<>();

    @Option(names = "--env-file", paramLabel = "FILE", description = "Read KEY=VALUE lines from FILE.")
    List<Path> envFiles = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "Name or id, as in the image's passwd.")
    String user;

    @Option(names = "--entrypoint", paramLabel = "CMD", description = "Override the image's ENTRYPOINT.")
    String entrypoint;

    @Option(names = {"-p", "--publish"}, paramLabel = "[IP:]HOST:CONTAINER",
            description = "Publish a container port: HOST = CONTAINER needs nothing (host networking); "
                    + "otherwise kiln relays TCP from HOST to the container's port while it runs.")
    List<String> publish = new ArrayList<>();

    @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CONTAINER[:ro]", description = "Bind-mount a host path.")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME", description = "The container's name (and hostname).")
    String name;

    @Option(names = "--network", paramLabel = "host|none", defaultValue = "host",
            description = "host (default) or none (only loopback).")
    String network;

    @Option(names = "--isolation", paramLabel = "auto|userns|chroot", defaultValue = "auto",
            description = "How containers are isolated (see docs/runtime.md).")
    Isolation isolation;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "An image in the local store (pulled if missing).")
    String image;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "Command and arguments (replace the image's CMD).")
    List<String> command = new ArrayList<>();

    /** The sandbox {@link Main} started before parsing ({@link UserNamespace#startSandboxBeforeParsing}), or null. */
    Sandbox.Starting startedSandbox;

    /**
     * Whether {@code args} (a whole command line) are a {@code kiln run} that needs nothing of the
     * kiln outside the user namespace, so that {@link Main} may re-execute before picocli builds the
     * command model (a third of the outer JVM's time): run by a user, not already inside, and
     * without anything the outer kiln does itself (detach, help, version, debug output, an
     * {@code --isolation} choice, {@code @file} arguments). Every token is looked at, the
     * container's own too, so a clustered short option ({@code -dit}) is never missed: a command
     * that merely looks like one (e.g. {@code ls -d}) only takes the usual way. The checks before
     * {@link UserNamespace#enter} run inside as they do on the usual way.
     */
    static boolean entersBeforeParsing(String[] args) {
        return isPlainRun(args) && !UserNamespace.insideOrRoot();
    }

    /** The part of {@link #entersBeforeParsing} that looks at {@code args} alone. */
    static boolean isPlainRun(String[] args) {
        if (args.length < 2 || !args[0].equals("run")) {
            return false;
        }
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("@")) {
                return false;
            }
            if (a.startsWith("--")) {
                for (String outer : List.of("--detach", "--debug", "--help", "--version", "--isolation")) {
                    if (a.startsWith(outer)) {
                        return false;
                    }
                }
            } else if (a.startsWith("-") && (a.indexOf('d') >= 0 || a.indexOf('h') >= 0 || a.indexOf('V') >= 0)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Integer call() throws Exception {
        Network net = parseNetwork();
        List<Forward> forwards = checkPorts(net);
        if (name != null && ContainerState.all().stream().anyMatch(c -> name.equals(c.name()) && c.running())) {
            throw new KilnException("a running container is already named " + name, "choose another --name", null);
        }
        List<String> original = spec.root().commandLine().getParseResult().originalArgs();
        if (detach) {
            return Detach.start(original, spec.commandLine().getOut());
        }
        OptionalInt outer = userns.enter(isolation);
        if (outer.isPresent()) {
            return outer.getAsInt();
        }
        LocalStore store = new LocalStore(global.storeRoot());
        // A store session keeps `kiln system prune` out from the image's lookup until the container
        // is on record as running; from then on prune keeps a running container's image and layers.
        LocalStore.Session session = store.session();
        // the spawner JVM starts while the image is looked up and its layers extracted
        SandboxOptions sandboxOptions = SandboxOptions.of(isolation).withProbeMemos(store.layout().probeMemos());
        try (Sandbox.Starting sandbox = startedSandbox != null ? startedSandbox : Sandbox.starting()) {
            return runImage(store, net, forwards, session, sandbox, sandboxOptions);
        } finally {
            session.close();
        }
    }

    private int runImage(LocalStore store, Network net, List<Forward> forwards, LocalStore.Session session,
            Sandbox.Starting sandbox, SandboxOptions sandboxOptions) throws Exception {
        ImageRecord record = findOrPull(store);
        ImageConfig config = Json.parseConfig(store.readBlob(record.config())).value();
        List<Descriptor> layers = store.manifest(record).manifest().value().layers();
        List<Digest> diffIds = config.rootfs().diffIds();
        if (layers.size() != diffIds.size()) {
            throw new KilnException("image " + record.name() + " has " + layers.size()
                    + " layers but its config lists " + diffIds.size() + " diff IDs");
        }
        List<Path> lowers = new ArrayList<>();
        LayerDirs extracted = new LayerDirs(store.layout(), store);
        for (int i = 0; i < layers.size(); i++) {
            try {
                lowers.add(extracted.dir(layers.get(i), diffIds.get(i)));
            } catch (DiffIdMismatchException e) {
                throw e.inImage(record.name());
            }
        }
        String id = cid != null ? cid : ContainerState.newId();
        Path dir = ContainerState.dir(id);
        Files.createDirectories(dir);
        Integer code = null;
        ContainerState state = null;
        List<PortForward> ports = new ArrayList<>();
        try {
            ExecSpec exec = execSpec(config.config(), lowers, dir, id, net);
            state = new ContainerState(id, name != null ? name : id.substring(0, 12), record.name(),
                    exec.argv(), java.time.Instant.now().toString(), ProcessHandle.current().pid(),
                    ContainerState.startTimeOf(ProcessHandle.current().pid()), null);
            state.save();
            session.close();
            for (Forward f : forwards) {
                ports.add(PortForward.open(f.bind(), f.host(), f.container()));
            }
            code = runToEnd(sandbox, sandboxOptions, exec);
            return code;
        } finally {
            ports.forEach(PortForward::close);
            if (rm) {
                LocalStore.deleteTree(dir);
            } else if (state != null) {
                state.exited(code == null ? 125 : code).save();
            }
        }
    }

    private int runToEnd(Sandbox.Starting starting, SandboxOptions options, ExecSpec exec)
            throws InterruptedException {
        try (Sandbox sandbox = starting.open(options)) {
            Execution e = sandbox.start(exec);
            for (String sig : List.of("INT", "TERM", "HUP")) {
                try {
                    sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> e.signal(s.getNumber()));
                } catch (IllegalArgumentException ignored) {
                    // the JVM keeps this one
                }
            }
            ExecResult r = e.waitFor();
            if (r.exitCode() != 0) {
                sandbox.idMappingLimitation().ifPresent(m -> spec.commandLine().getErr().println("Note: " + m));
            }
            return r.exitCode();
        }
    }

    private ExecSpec execSpec(ContainerConfig image, List<Path> lowers, Path dir, String id, Network net)
            throws IOException {
        List<String> argv = new ArrayList<>();
        if (entrypoint != null) {
            if (!entrypoint.isEmpty()) {
                argv.add(entrypoint);
            }
        } else {
            argv.addAll(image.entrypoint());
        }
        if (!command.isEmpty()) {
            argv.addAll(command);
        } else if (entrypoint == null) {
            argv.addAll(image.cmd());
        }
        if (argv.isEmpty()) {
            throw new KilnException("no command specified", "give one after the image name", null);
        }
        UserLookup.Resolved who = new UserLookup(lowers).resolve(user != null ? user : image.user());
        List<String> environment = new ArrayList<>(image.env());
        for (Path f : envFiles) {
            for (String line : Files.readAllLines(f)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    environment.add(envEntry(line.trim()));
                }
            }
        }
        env.forEach(e -> environment.add(envEntry(e)));
        List<Mount> mounts = new ArrayList<>();
        for (String v : volumes) {
            String[] parts = v.split(":");
            if (parts.length < 2 || parts.length > 3 || (parts.length == 3 && !parts[2].equals("ro")
                    && !parts[2].equals("rw"))) {
                throw new KilnException("invalid volume '" + v + "'", "use HOST:CONTAINER or HOST:CONTAINER:ro", null);
            }
            mounts.add(Mount.bind(Path.of(parts[0]).toAbsolutePath(), parts[1],
                    parts.length == 3 && parts[2].equals("ro")));
        }
        String wd = workdir != null ? workdir : image.workingDir() == null || image.workingDir().isEmpty()
                ? "/" : image.workingDir();
        RootFs.Overlay root = RootFs.overlay(lowers, ContainerState.upper(dir), ContainerState.work(dir));
        // --rm throws the upper dir away: its container's end need not wait for it to reach the disk
        return ExecSpec.of(rm ? root.withVolatileUpper() : root, argv)
                .withEnv(who.withHome(environment))
                .withUser(who.user())
                .withWorkDir(wd)
                .withHostname(name != null ? name : id.substring(0, 12))
                .withMounts(mounts)
                .withNetwork(net)
                .withStdio(interactive ? Stdio.INHERIT : Stdio.NULL, Stdio.INHERIT, Stdio.INHERIT);
    }

    private static String envEntry(String e) {
        if (e.contains("=")) {
            return e;
        }
        String value = System.getenv(e);
        return e + "=" + (value == null ? "" : value);
    }

    private ImageRecord findOrPull(LocalStore store) {
        String canonical = Reference.parse(image).toString();
        return store.image(canonical).or(() -> store.image(image)).orElseGet(() -> {
            try (Registries registries = registry.registries()) {
                // the layers the container runs on are extracted as they download
                return new ImagePuller(new TransferSettings(registries, e -> { }, registry.jobs, 0), store)
                        .pull(Reference.parse(image), registry.platform(), Reference.parse(image).toString(),
                                new LayerDirs(store.layout(), store).tap()).image();
            }
        });
    }

    private Network parseNetwork() {
        return switch (network) {
            case "host" -> Network.HOST;
            case "none" -> Network.NONE;
            default -> throw new KilnException("unknown network '" + network + "'", "use host or none", null);
        };
    }

    /** One {@code -p [IP:]HOST:CONTAINER[/tcp]} that needs a forwarder (HOST ≠ CONTAINER). */
    private record Forward(InetAddress bind, int host, int container) {}

    /** Checks every {@code -p}; returns those needing a forwarder (the others need nothing). */
    private List<Forward> checkPorts(Network net) {
        List<Forward> forwards = new ArrayList<>();
        for (String p : publish) {
            if (net == Network.NONE) {
                throw new KilnException("-p " + p + " cannot work with --network none", "drop -p or use --network host", null);
            }
            String spec = p;
            String proto = "tcp";
            int slash = spec.lastIndexOf('/');
            if (slash >= 0) {
                proto = spec.substring(slash + 1);
                spec = spec.substring(0, slash);
            }
            String[] parts = spec.split(":");
            if (parts.length > 3 || !proto.equals("tcp") && !proto.equals("udp")) {
                throw new KilnException("invalid -p " + p, "use [IP:]HOST:CONTAINER[/tcp]", null);
            }
            int container = port(parts[parts.length - 1], p);
            int host = parts.length >= 2 ? port(parts[parts.length - 2], p) : container;
            if (host == container) {
                continue; // the container's port is the host's already
            }
            if (proto.equals("udp")) {
                throw new KilnException("-p " + p + ": kiln forwards TCP only; a UDP port must keep its number",
                        "use -p " + container + ":" + container + "/udp", null);
            }
            InetAddress bind = null;
            if (parts.length == 3 && !parts[0].isEmpty()) {
                try {
                    bind = InetAddress.getByName(parts[0]);
                } catch (java.net.UnknownHostException e) {
                    throw new KilnException("-p " + p + ": unknown address " + parts[0], "use an IP address", null);
                }
            }
            forwards.add(new Forward(bind, host, container));
        }
        return forwards;
    }

    private static int port(String text, String spec) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new KilnException("invalid -p " + spec + ": '" + text + "' is not a port (1-65535)",
                "use [IP:]HOST:CONTAINER, e.g. -p 8080:80", null);
    }
}
