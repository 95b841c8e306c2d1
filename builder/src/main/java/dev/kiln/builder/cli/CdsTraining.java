package dev.kiln.builder.cli;

import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.builder.snapshot.LayerDirs;
import dev.kiln.builder.store.StoreLayout;
import dev.kiln.oci.Image;
import dev.kiln.oci.Platform;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layout.OciArchiveReader;
import dev.kiln.runtime.Sandbox;
import dev.kiln.runtime.Userns;
import dev.kiln.runtime.linux.Spawner;
import dev.kiln.runtime.linux.UsernsLauncher;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/**
 * The run the {@code kiln} launcher records a class-data-sharing archive from (once per jar and
 * JDK, in the background, with {@code -XX:ArchiveClassesAtExit}): the classes a build loads, so
 * later JVM start-ups map them instead of loading and verifying them again. It builds a small
 * image without RUN from scratch twice (the second time from the cache) into a throw-away store,
 * writes an OCI archive and lists the images, then pulls that image from a registry it serves on
 * the loopback address ({@link TrainingRegistry}) and extracts its layers: no other network, no
 * namespace, the same steps every time. Prints nothing; exit code 0 when the build went through.
 */
public final class CdsTraining {
    private CdsTraining() {}

    public static void main(String[] args) throws IOException {
        // What `kiln run` and builds with RUN steps load besides: Main's logging set-up, the
        // re-execution's command line (also the spawner's flags), the sandbox's and the spawner
        // JVM's classes (referred to, not run: no namespace, no process)
        DebugLogging.enableIfRequested(new String[0]);
        Userns.relaunchCommand(new String[] {"run"});
        Spawner.spawnerClasses();
        List.of(Sandbox.class, Sandbox.Starting.class, UsernsLauncher.class);
        startProcesses();
        Path work = Files.createTempDirectory("kiln-cds-");
        int code;
        try {
            code = train(work);
        } finally {
            FileTrees.delete(work);
        }
        System.exit(code);
    }

    /**
     * What starting a process loads, as the re-execution (newuidmap and newgidmap, output read)
     * and the spawner's launch (stdio inherited) do it: 20 of the JDK's classes that were read
     * from its modules at every build otherwise. {@code true} is started; where it cannot be, the
     * attempt has loaded most of them all the same.
     */
    static void startProcesses() {
        try {
            Process read = new ProcessBuilder("true").redirectErrorStream(true).start();
            read.getInputStream().readAllBytes();
            read.waitFor();
            new ProcessBuilder("true").inheritIO().start().waitFor();
        } catch (IOException e) {
            // the classes loaded so far are recorded all the same
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int train(Path work) throws IOException {
        Path context = Files.createDirectories(work.resolve("context"));
        Files.writeString(context.resolve("app.txt"), "hello\n");
        Files.writeString(context.resolve(".dockerignore"), "*.tmp\n");
        Files.writeString(context.resolve("Dockerfile"), """
                # syntax=docker/dockerfile:1
                ARG BASE=scratch
                FROM ${BASE} AS base
                ENV A=1 B="two words"
                LABEL org.example=kiln
                WORKDIR /app
                COPY --chmod=644 app.txt ./
                ADD app.txt /copy/
                USER 1000:1000
                EXPOSE 5000/tcp
                VOLUME ["/data"]
                HEALTHCHECK --interval=30s CMD ["/app/check"]
                STOPSIGNAL SIGTERM
                ENTRYPOINT ["/app/run"]
                CMD ["serve"]
                """);
        Path store = work.resolve("store");
        String[] build = {"build", "--root", store.toString(), "-q", "-t", "kiln-cds-training",
            "-o", "type=oci,dest=" + work.resolve("image.tar"), context.toString()};
        int code = run(build);
        if (code == 0) {
            code = run(build);
        }
        if (code == 0) {
            code = run("images", "--root", store.toString());
        }
        if (code == 0) {
            pullAndExtract(work);
        }
        return code;
    }

    /**
     * Pulls the image just written from a registry on the loopback address and extracts its
     * layers both ways a build does (while the blob arrives, and from the store), so that the
     * HTTP client's, the registry client's and the extractor's classes are in the cache. Best
     * effort: a JDK without {@code jdk.httpserver}, or any failure here, only leaves them out.
     */
    static void pullAndExtract(Path work) {
        try {
            pullAndExtract(work, OciArchiveReader.open(work.resolve("image.tar")));
        } catch (Exception | LinkageError e) {
            // the classes loaded so far are recorded all the same
        }
    }

    private static void pullAndExtract(Path work, OciArchiveReader archive) throws IOException {
        try (TrainingRegistry registry = TrainingRegistry.serve(archive)) {
            Path pulled = work.resolve("pulled");
            if (run("pull", "--root", pulled.toString(), registry.host() + "/" + TrainingRegistry.REPOSITORY) != 0) {
                return;
            }
            Image image = archive.image(null, Platform.current());
            StoreLayout arriving = new StoreLayout(Files.createDirectories(work.resolve("arriving")));
            StoreLayout extracted = new StoreLayout(Files.createDirectories(work.resolve("extracted")));
            for (int i = 0; i < image.layers().size(); i++) {
                LayerBlob layer = new LayerBlob(image.layers().get(i), image.diffIds().get(i));
                LayerDirs.Arriving tap = new LayerDirs(arriving, archive).arriving(layer.descriptor());
                if (tap != null) {
                    byte[] bytes = archive.readAll(layer.descriptor().digest());
                    tap.write(bytes, 0, bytes.length);
                    tap.finish(layer.diffId());
                }
                new LayerDirs(extracted, archive).dir(layer);
            }
        }
    }

    private static int run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter sink = new StringWriter();
        cl.setOut(new PrintWriter(sink));
        cl.setErr(new PrintWriter(sink));
        return cl.execute(args);
    }
}
