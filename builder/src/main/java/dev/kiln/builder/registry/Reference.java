package dev.kiln.builder.registry;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A normalised image reference: {@code python:3.9-slim} becomes
 * {@code docker.io/library/python:3.9-slim}. Either {@link #tag()} or {@link #digest()} or both may
 * be set; {@link #parse} fills in {@code latest} when neither is given.
 *
 * @param registry the registry's name as users write it ({@code docker.io}, {@code 127.0.0.1:5100})
 * @param repository the repository path ({@code library/python})
 * @param tag the tag, or null
 * @param digest the digest ({@code sha256:...}), or null
 */
public record Reference(String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";
    public static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";

    private static final Pattern COMPONENT =
            Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST =
            Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");

    public Reference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        if (!HOST.matcher(registry).matches()) {
            throw invalid(registry, "registry host '" + registry + "' is not a valid host[:port]");
        }
        for (String part : repository.split("/", -1)) {
            if (!COMPONENT.matcher(part).matches()) {
                throw invalid(repository, repositoryProblem(repository, part));
            }
        }
        if (registry.length() + 1 + repository.length() > 255) {
            throw invalid(repository, "repository name is longer than 255 characters");
        }
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw invalid(tag, "tag '" + tag + "' may only hold letters, digits, '_', '.' and '-'"
                    + " (at most 128, not starting with '.' or '-')");
        }
        if (digest != null && !DIGEST.matcher(digest).matches()) {
            throw invalid(digest, "digest '" + digest + "' is not ALGORITHM:HEX");
        }
    }

    /**
     * Parses and normalises a Docker-style reference.
     *
     * @throws InvalidReferenceException quoting the input and saying what is wrong
     */
    public static Reference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidReferenceException("", "an image reference is empty");
        }
        String rest = text.strip();
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0 && looksLikeHost(rest.substring(0, slash))) {
            registry = rest.substring(0, slash);
            rest = rest.substring(slash + 1);
        }
        if (registry.equals("index.docker.io") || registry.equals(DOCKER_HUB_API_HOST)) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && rest.indexOf('/') < 0) {
            rest = "library/" + rest;
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        try {
            return new Reference(registry, rest, tag, digest);
        } catch (InvalidReferenceException e) {
            throw new InvalidReferenceException(text, e.problem());
        }
    }

    private static boolean looksLikeHost(String first) {
        return first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(Locale.ROOT));
    }

    private static String repositoryProblem(String repository, String part) {
        if (part.isEmpty()) {
            return "repository '" + repository + "' has an empty path component";
        }
        if (!part.equals(part.toLowerCase(Locale.ROOT))) {
            return "repository name '" + repository + "' must be lowercase";
        }
        return "repository path component '" + part + "' may only hold lowercase letters, digits"
                + " and single separators ('.', '_', '__', '-')";
    }

    private static InvalidReferenceException invalid(String input, String problem) {
        return new InvalidReferenceException(input, problem);
    }

    /** The host (and port) the HTTP API lives on: Docker Hub's differs from its name. */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API_HOST : registry;
    }

    /** {@code tag} if set, else {@code digest}: what goes into {@code /v2/NAME/manifests/REF}. */
    public String manifestReference() {
        return digest != null ? digest : tag;
    }

    /** {@code registry/repository} with neither tag nor digest. */
    public String name() {
        return registry + "/" + repository;
    }

    /**
     * The short form Docker shows ({@code docker images}): Docker Hub's host and its
     * {@code library/} namespace left out, e.g. {@code my-python-app}, {@code bitnami/redis},
     * {@code 127.0.0.1:5100/library/busybox}.
     */
    public String familiarName() {
        if (!registry.equals(DOCKER_HUB)) {
            return name();
        }
        return repository.startsWith("library/") && repository.indexOf('/', 8) < 0
                ? repository.substring("library/".length())
                : repository;
    }

    /**
     * The whole reference in Docker's short form ({@code FamiliarString}): {@link #familiarName()}
     * with the tag and digest, e.g. {@code my-python-app:latest}.
     */
    public String familiarString() {
        return familiarName() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    public Reference withTag(String newTag) {
        return new Reference(registry, repository, newTag, null);
    }

    public Reference withDigest(String newDigest) {
        return new Reference(registry, repository, tag, newDigest);
    }

    public Reference withRegistry(String newRegistry) {
        return new Reference(newRegistry, repository, tag, digest);
    }

    /** The fully normalised form, e.g. {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name());
        if (tag != null) {
            sb.append(':').append(tag);
        }
        if (digest != null) {
            sb.append('@').append(digest);
        }
        return sb.toString();
    }
}
