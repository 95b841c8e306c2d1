package dev.kiln.builder.session;

import dev.kiln.builder.dockerfile.DockerfileText;
import dev.kiln.builder.engine.context.ContextArchive;
import dev.kiln.builder.engine.context.RemoteContext;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The context directory and Dockerfile of a build: a directory; {@code -} for a tar (or a lone
 * Dockerfile) on {@code stdin}; or a git or http(s) URL ({@link RemoteContext}). The last two are
 * fetched into a temporary directory ({@link #scratch()}) that {@link #close()} removes.
 *
 * @param scratch the temporary directory to delete after the build, or null
 * @param dockerfilePath the Dockerfile on disk (for ignore-file lookup), null when read from stdin
 */
public record BuildInput(Path context, Path scratch, String dockerfileName, Path dockerfilePath, String dockerfileText)
        implements AutoCloseable {

    /** A context directory and its Dockerfile ({@code CONTEXT/Dockerfile}, else {@code Containerfile}, when null). */
    public static BuildInput directory(Path context, Path dockerfile) throws IOException {
        return read(context.toString(), dockerfile == null ? null : dockerfile.toString(), InputStream.nullInputStream());
    }

    /**
     * What {@code kiln build CONTEXT -f FILE} names: {@code contextArg} a directory, {@code -}
     * (read from {@code stdin}) or a URL; {@code file} null for the default, {@code -} for stdin.
     */
    public static BuildInput read(String contextArg, String file, InputStream stdin) throws IOException {
        Path context;
        Path scratch = null;
        String stdinDockerfile = null;
        boolean remote = RemoteContext.isUrl(contextArg);
        if (remote) {
            scratch = Files.createTempDirectory("kiln-context-");
            RemoteContext.Fetched fetched = RemoteContext.fetch(contextArg, scratch);
            context = fetched.context();
            stdinDockerfile = fetched.dockerfileText();
        } else if (contextArg.equals("-")) {
            context = Files.createTempDirectory("kiln-context-");
            scratch = context;
            Path tmp = Files.createTempFile("kiln-context-", ".tar");
            try (InputStream in = stdin) {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                if (ContextArchive.isArchive(tmp)) {
                    ContextArchive.extract(tmp, context);
                } else {
                    stdinDockerfile = DockerfileText.decode("Dockerfile", Files.readAllBytes(tmp));
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } else {
            context = Path.of(contextArg).toAbsolutePath().normalize();
            if (!Files.isDirectory(context)) {
                throw new KilnException("the build context " + contextArg + " is not a directory",
                        "give a directory, or - to read a tar from stdin", null);
            }
        }
        if (stdinDockerfile != null) {
            return new BuildInput(context, scratch, "Dockerfile", null, stdinDockerfile);
        }
        if ("-".equals(file)) {
            return new BuildInput(context, scratch, "Dockerfile", null, DockerfileText.read("Dockerfile", stdin));
        }
        Path df;
        if (file != null && remote) {
            // as docker build: -f names a file of the fetched context
            df = context.resolve(file).normalize();
            if (!df.startsWith(context)) {
                throw new KilnException("-f " + file + " is outside the build context " + contextArg, null, null);
            }
        } else if (file != null) {
            df = Path.of(file).toAbsolutePath().normalize();
        } else {
            df = context.resolve("Dockerfile");
            if (!Files.exists(df) && Files.exists(context.resolve("Containerfile"))) {
                df = context.resolve("Containerfile");
            }
        }
        if (!Files.isRegularFile(df)) {
            throw new KilnException("no Dockerfile at " + df, "name one with -f FILE", null);
        }
        String name = file != null ? file : df.getFileName().toString();
        try (InputStream in = Files.newInputStream(df)) {
            return new BuildInput(context, scratch, name, df, DockerfileText.read(name, in));
        }
    }

    /** Removes the fetched context, if any. */
    @Override
    public void close() {
        if (scratch != null) {
            FileTrees.deleteQuietly(scratch);
        }
    }
}
