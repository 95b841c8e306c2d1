package dev.kiln.builder.engine.context;

import dev.kiln.builder.dockerfile.DockerfileText;
import dev.kiln.builder.registry.OwnedHttpClient;
import dev.kiln.builder.registry.StallGuard;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.files.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Build contexts named by URL, fetched into a directory as {@code docker build URL} does: a git
 * repository ({@code https://host/repo.git#ref:subdir}, {@code git@host:repo.git},
 * {@code git://…}, {@code file:///…/repo.git}) cloned at {@code ref} with the {@code git} binary,
 * without its {@code .git}; any other {@code http(s)} URL downloaded, and extracted when it is a tar
 * (plain, gzip, bzip2, xz, zstd) or taken as the Dockerfile when it is not.
 */
public final class RemoteContext {
    private static final Pattern GIT_HTTP = Pattern.compile("(?i)^https?://[^#]*\\.git(#.*)?$");
    private static final long GIT_TIMEOUT_MINUTES = 10;

    /** The largest build context (or Dockerfile) downloaded from a URL. */
    static final long MAX_CONTEXT_BYTES = 1L << 30;

    private RemoteContext() {}

    /** What a URL gave: the context directory and, when the URL was a lone Dockerfile, its text. */
    public record Fetched(Path context, String dockerfileText) {}

    /** True for the URLs this class fetches (git or http(s)), false for local paths and {@code -}. */
    public static boolean isUrl(String arg) {
        return isGit(arg) || arg.startsWith("http://") || arg.startsWith("https://");
    }

    /** Docker's rule: {@code git://}, {@code git@}, {@code github.com/}, or http(s) ending in {@code .git[#…]}; also {@code file://…git}. */
    public static boolean isGit(String arg) {
        return arg.startsWith("git://") || arg.startsWith("git@") || arg.startsWith("github.com/")
                || GIT_HTTP.matcher(arg).matches() || arg.startsWith("file://") && arg.split("#", 2)[0].endsWith(".git");
    }

    /** Fetches {@code url} into {@code dir} (created if missing; the caller deletes it). */
    public static Fetched fetch(String url, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new KilnException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return isGit(url) ? gitClone(url, dir) : download(url, dir);
    }

    private static Fetched download(String url, Path dir) {
        OwnedHttpClient client = OwnedHttpClient.build(HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)));
        Path body = dir.resolve(".kiln-context-download");
        try {
            HttpResponse<InputStream> r = client.client().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMinutes(2)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = StallGuard.wrap(r.body(), StallGuard.IDLE, MAX_CONTEXT_BYTES, url)) {
                if (r.statusCode() / 100 != 2) {
                    throw new KilnException("cannot download the build context " + url + ": HTTP " + r.statusCode(),
                            "check the URL", null);
                }
                Files.copy(in, body, StandardCopyOption.REPLACE_EXISTING);
            }
            Path context = Files.createDirectories(dir.resolve("context"));
            if (ContextArchive.isArchive(body)) {
                ContextArchive.extract(body, context);
                return new Fetched(context, null);
            }
            return new Fetched(context, DockerfileText.decode("Dockerfile", Files.readAllBytes(body)));
        } catch (IOException | IllegalArgumentException e) {
            throw new KilnException("cannot download the build context " + url + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("interrupted downloading " + url, e);
        } finally {
            client.end();
            FileTrees.deleteQuietly(body);
        }
    }

    /** {@code URL#REF:SUBDIR}: a shallow fetch of REF (default: the remote's HEAD), checked out, .git removed. */
    private static Fetched gitClone(String url, Path dir) {
        String[] parts = url.split("#", 2);
        String remote = parts[0].startsWith("github.com/") ? "https://" + parts[0] : parts[0];
        String fragment = parts.length > 1 ? parts[1] : "";
        int colon = fragment.indexOf(':');
        String ref = colon >= 0 ? fragment.substring(0, colon) : fragment;
        String subdir = colon >= 0 ? fragment.substring(colon + 1) : "";
        if (remote.startsWith("-") || ref.startsWith("-")) {
            throw new KilnException("invalid git context " + url, null, null);
        }
        Path repo = dir.resolve("repo");
        git(dir, "init", "-q", repo.toString());
        git(repo, "remote", "add", "origin", remote);
        String want = ref.isEmpty() ? "HEAD" : ref;
        if (!tryGit(repo, "fetch", "-q", "--depth=1", "--no-tags", "origin", want)) {
            // a commit id some servers do not serve shallowly, or a short id: fetch everything
            git(repo, "fetch", "-q", "--tags", "origin");
            String target = want.equals("HEAD") ? "FETCH_HEAD" : want;
            if (!tryGit(repo, "checkout", "-q", "--detach", target)) {
                git(repo, "checkout", "-q", "--detach", "origin/" + target);
            }
        } else {
            git(repo, "checkout", "-q", "--detach", "FETCH_HEAD");
        }
        if (Files.exists(repo.resolve(".gitmodules"))) {
            // A submodule may name any URL, a local path included: only a repository the user
            // named by a file:// URL may pull in others from this machine (git's own default
            // for submodules, which the protocol.file.allow=always below would otherwise lift).
            String local = remote.startsWith("file://") ? "always" : "never";
            git(repo, "-c", "protocol.file.allow=" + local, "-c", "protocol.ext.allow=never",
                    "submodule", "update", "-q", "--init", "--recursive", "--depth=1");
        }
        FileTrees.deleteQuietly(repo.resolve(".git"));
        Path context = FileNames.resolve(repo, subdir).normalize();
        if (!context.startsWith(repo) || !Files.isDirectory(context)) {
            throw new KilnException("the git context " + url + " has no directory " + subdir,
                    "write URL#REF:DIR with DIR a directory of the repository", null);
        }
        return new Fetched(context, null);
    }

    private static void git(Path dir, String... args) {
        Result r = run(dir, args);
        if (r.exit != 0) {
            throw new KilnException("git " + String.join(" ", args) + " failed (exit " + r.exit + "): "
                    + r.output.strip(), "check the repository URL and ref; kiln needs the git binary", null);
        }
    }

    private static boolean tryGit(Path dir, String... args) {
        return run(dir, args).exit == 0;
    }

    private record Result(int exit, String output) {}

    private static Result run(Path dir, String... args) {
        // file:// only for the URL the user gave (git would refuse even that as "not from the
        // user", since it runs as kiln's child); submodules set their own rule, which comes later
        // on the command line and wins
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "advice.detachedHead=false",
                "-c", "protocol.file.allow=always"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.environment().put("LC_ALL", "C");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(GIT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new KilnException("git " + String.join(" ", args) + " did not finish", null, null);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new KilnException("cannot run git: " + e.getMessage(),
                    "install git (apt-get install git) to build from a git URL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("interrupted running git", e);
        }
    }
}
