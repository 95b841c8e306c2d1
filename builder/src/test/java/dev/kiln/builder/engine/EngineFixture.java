package dev.kiln.builder.engine;

import dev.kiln.builder.cache.BuildCache;
import dev.kiln.builder.dockerfile.Dockerfile;
import dev.kiln.builder.dockerfile.IgnoreFiles;
import dev.kiln.builder.engine.context.BuildContext;
import dev.kiln.builder.engine.run.RunExecutor;
import dev.kiln.builder.engine.run.RunRequest;
import dev.kiln.builder.plan.BuildPlan;
import dev.kiln.builder.plan.PlanOptions;
import dev.kiln.builder.plan.Planner;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.Compression;
import dev.kiln.oci.Image;
import dev.kiln.oci.Platform;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.layer.TarReader;
import dev.kiln.oci.testing.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * A store, a base image ({@code base}: busybox-like, two layers with /etc/passwd and /etc/group),
 * a scripted RUN executor and a recording listener, for engine tests without a registry or runtime.
 */
public final class EngineFixture {
    static final Platform PLATFORM = Platform.of("linux", "amd64", null);

    final Path root;
    public final LocalStore store;
    public final Path context;
    public final List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
    public final List<RunRequest> runs = Collections.synchronizedList(new ArrayList<>());
    /** The layers each {@link RunExecutor#prepareLayers} call was given. */
    public final List<List<LayerBlob>> prepared = Collections.synchronizedList(new ArrayList<>());
    BaseImage base;
    public BuildOptions options = BuildOptions.defaults(PLATFORM);
    /** Base images: only {@code base}. */
    ImageSource images = (ref, platform) -> {
        if (!ref.equals("base")) {
            throw new dev.kiln.oci.KilnException("no such image " + ref);
        }
        return base;
    };

    public EngineFixture(Path root) throws IOException {
        this.root = root;
        this.store = new LocalStore(root.resolve("store"));
        this.context = Files.createDirectories(root.resolve("context"));
        Map<String, String> bin = new TreeMap<>();
        bin.put("bin/", "");
        bin.put("bin/sh", "#!fake");
        bin.put("usr/", "");
        bin.put("usr/lib/", "");
        Map<String, String> etc = new TreeMap<>();
        etc.put("etc/", "");
        etc.put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
                + "app:x:1000:1000::/home/app:/bin/sh\n");
        etc.put("etc/group", "root:x:0:\nnogroup:x:65534:\nstaff:x:50:\n");
        Image img = TestImages.ociImage(store, PLATFORM, bin, etc);
        List<LayerBlob> layers = new ArrayList<>();
        for (int i = 0; i < img.layers().size(); i++) {
            layers.add(new LayerBlob(img.layers().get(i), img.diffIds().get(i)));
        }
        base = new BaseImage("docker.io/library/base:latest", img.id(), img.config().value(), layers);
    }

    /** A fixture whose context holds {@code files} (relative path to text; see {@link #file}). */
    public EngineFixture(Path root, Map<String, String> files) throws IOException {
        this(root);
        for (Map.Entry<String, String> e : files.entrySet()) {
            file(e.getKey(), e.getValue());
        }
    }

    /**
     * A RUN executor for script lines {@code write PATH TEXT}, {@code link PATH TARGET}, {@code echo TEXT},
     * {@code exit N}, {@code cat PATH} (prints a file, through the mounts) and {@code append PATH TEXT} (a line
     * to a file, through the mounts). Like the runtime, it first creates the mounts' targets in the upper dir.
     * It records the layers it is asked to {@linkplain RunExecutor#prepareLayers prepare} in {@link #prepared}.
     */
    public RunExecutor runExecutor() {
        RunExecutor scripted = scriptedRuns();
        return new RunExecutor() {
            @Override
            public Result run(RunRequest request) throws InterruptedException {
                return scripted.run(request);
            }

            @Override
            public void prepareLayers(List<LayerBlob> layers) {
                prepared.add(List.copyOf(layers));
            }
        };
    }

    private RunExecutor scriptedRuns() {
        return request -> {
            runs.add(request);
            try {
                for (dev.kiln.runtime.Mount m : request.mounts()) {
                    Path t = request.upperDir().resolve(m.target().substring(1));
                    if (m instanceof dev.kiln.runtime.Mount.Bind b && !Files.isDirectory(b.source())) {
                        Files.createDirectories(t.getParent());
                        if (!Files.exists(t)) {
                            Files.createFile(t);
                        }
                    } else {
                        Files.createDirectories(t);
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            String script = request.argv().get(request.argv().size() - 1);
            for (String line : script.split("\n")) {
                String[] w = line.strip().split(" ", 3);
                try {
                    switch (w[0]) {
                        case "write" -> {
                            Path p = FileNames.resolve(request.upperDir(), w[1].substring(1));
                            Files.createDirectories(p.getParent());
                            Files.writeString(p, w.length > 2 ? w[2] : "");
                        }
                        case "cat" -> {
                            Path p = mounted(request, w[1]);
                            request.output().accept(Files.exists(p) ? Files.readString(p) : "(missing " + w[1] + ")");
                        }
                        case "append" -> {
                            Path p = mounted(request, w[1]);
                            Files.writeString(p, w[2] + "\n", java.nio.file.StandardOpenOption.CREATE,
                                    java.nio.file.StandardOpenOption.APPEND);
                        }
                        case "link" -> {
                            Path p = request.upperDir().resolve(w[1].substring(1));
                            Files.createDirectories(p.getParent());
                            Files.createSymbolicLink(p, Path.of(w[2]));
                        }
                        case "echo" -> request.output().accept(line.substring(5));
                        case "exit" -> {
                            return new RunExecutor.Result(Integer.parseInt(w[1]));
                        }
                        case "lose" -> { // a runtime that ran the command but kept none of its changes
                            return new RunExecutor.Result(0, false);
                        }
                        default -> { }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return new RunExecutor.Result(0);
        };
    }

    /** Where a container path is on the host: under the deepest mount holding it, else in the upper dir. */
    public static Path mounted(RunRequest request, String path) {
        dev.kiln.runtime.Mount best = null;
        for (dev.kiln.runtime.Mount m : request.mounts()) {
            if ((path.equals(m.target()) || path.startsWith(m.target() + "/"))
                    && (best == null || m.target().length() > best.target().length())) {
                best = m;
            }
        }
        if (best instanceof dev.kiln.runtime.Mount.Bind b) {
            return path.equals(b.target()) ? b.source() : b.source().resolve(path.substring(b.target().length() + 1));
        }
        return request.upperDir().resolve(path.substring(1));
    }

    /** A context file; {@code rel} in {@link FileNames} text form (a name need not be UTF-8). */
    public void file(String rel, String content) throws IOException {
        Path p = FileNames.resolve(context, rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    public BuiltImage build(String dockerfile) throws Exception {
        return build(dockerfile, PlanOptions.defaults().withBuildArgs(Map.of()));
    }

    public BuiltImage build(String dockerfile, PlanOptions planOptions) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        Dockerfile df = Dockerfile.parse("Dockerfile", dockerfile);
        BuildPlan plan = Planner.plan(df, planOptions);
        BuildContext ctx = new BuildContext(context, IgnoreFiles.load(context, context.resolve("Dockerfile")));
        Builder builder = new Builder(store, new BuildCache(store.layout().cache()), runExecutor(),
                images, events::add, options, root.resolve("scratch")).withStore(store.layout());
        return builder.build(plan, planOptions, ctx);
    }

    public long count(Class<? extends BuildEvent> type) {
        synchronized (events) {
            return events.stream().filter(type::isInstance).count();
        }
    }

    /** The entries of one layer blob, by name. */
    public Map<String, TarArchiveEntry> entries(LayerBlob layer) throws IOException {
        Map<String, TarArchiveEntry> out = new LinkedHashMap<>();
        try (InputStream in = store.open(layer.descriptor().digest());
                TarReader tar = new TarReader(Compression.autoDecompress(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                out.put(e.getName(), e);
            }
        }
        return out;
    }

    /** The content of a file in a layer. */
    public String read(LayerBlob layer, String name) throws IOException {
        try (InputStream in = store.open(layer.descriptor().digest());
                TarReader tar = new TarReader(Compression.autoDecompress(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.getName().equals(name)) {
                    return new String(tar.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }
}
