package dev.kiln.builder.registry;

import dev.kiln.oci.Digest;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A normalised image reference: {@code python:3.9-slim} becomes
 * {@code docker.io/library/python:3.9-slim}. Either {@link #tag()} or {@link #digest()} or both may
 * be set; {@link #parse} fills in {@code latest} when neither is given.
 *
 * <p>The one owner of Docker's naming rules in kiln: parsing and normalising references as
 * docker's {@code ParseNormalizedNamed} does, the familiar (short) form shown to users and written
 * as docker-archive RepoTags, and the names of registries ({@link #registryName}). The cases it is
 * held to are docker's own: {@code testdata/conformance/reference/normalize.tsv}.
 *
 * @param registry the registry's name as users write it ({@code docker.io}, {@code 127.0.0.1:5100})
 * @param repository the repository path ({@code library/python})
 * @param tag the tag, or null
 * @param digest the digest ({@code sha256:...}), or null
 */
public record Reference(String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";
    public static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";
    /** Docker Hub's old name, which docker rewrites to {@link #DOCKER_HUB} in references. */
    public static final String DOCKER_HUB_LEGACY = "index.docker.io";
    private static final String OFFICIAL = "library/";

    private static final Pattern COMPONENT =
            Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    /** 64 hex digits alone are an image ID, which docker refuses as a name. */
    private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:]+\\])(?::[0-9]{1,5})?");

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
        if (digest != null && !Digest.isDigest(digest)) {
            throw invalid(digest, "digest '" + digest + "' is not sha256:<64 lowercase hex digits>"
                    + " or sha512:<128>");
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
        if (IMAGE_ID.matcher(rest).matches()) {
            throw new InvalidReferenceException(text, "64 hex digits are an image ID, not a repository name");
        }
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
        if (registry.equals(DOCKER_HUB_LEGACY)) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && rest.indexOf('/') < 0) {
            rest = OFFICIAL + rest;
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

    /**
     * A registry as users name it to {@code login}, {@code logout}, in credential files and mirror
     * settings, as kiln names it: {@code https://index.docker.io/v1/} and Docker Hub's API host are
     * {@code docker.io}, as is nothing at all; a scheme and a path are dropped ({@code http://h:5000/x}
     * is {@code h:5000}).
     */
    public static String registryName(String server) {
        if (server == null || server.isBlank()) {
            return DOCKER_HUB;
        }
        String s = server.strip();
        int scheme = s.indexOf("://");
        s = scheme >= 0 ? s.substring(scheme + 3) : s;
        int slash = s.indexOf('/');
        s = slash >= 0 ? s.substring(0, slash) : s;
        return s.equals(DOCKER_HUB_LEGACY) || s.equals(DOCKER_HUB_API_HOST) ? DOCKER_HUB : s;
    }

    /** The host (and port) a registry's HTTP API lives on: Docker Hub's differs from its name. */
    public static String apiHost(String registry) {
        return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API_HOST : registry;
    }

    /** The host (and port) the HTTP API lives on: Docker Hub's differs from its name. */
    public String apiHost() {
        return apiHost(registry);
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
        return repository.startsWith(OFFICIAL) && repository.indexOf('/', OFFICIAL.length()) < 0
                ? repository.substring(OFFICIAL.length())
                : repository;
    }

    /**
     * The whole reference in Docker's short form ({@code FamiliarString}): {@link #familiarName()}
     * with the tag and digest, e.g. {@code my-python-app:latest}.
     */
    public String familiarString() {
        return familiarName() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /**
     * The entry {@code docker save} writes in a docker archive's RepoTags for this name:
     * {@link #familiarName()}{@code :TAG}; none for a name by digest only (docker lists no
     * digests there).
     */
    public Optional<String> repoTag() {
        return tag == null ? Optional.empty() : Optional.of(familiarName() + ":" + tag);
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
