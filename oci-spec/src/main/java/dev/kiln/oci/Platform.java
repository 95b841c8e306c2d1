package dev.kiln.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The platform an image runs on, as written in an index entry: {@code linux/arm64/v8}.
 *
 * @param architecture e.g. {@code amd64}, {@code arm64}
 * @param os           e.g. {@code linux}
 * @param osVersion    {@code os.version}, mostly for Windows; may be null
 * @param osFeatures   {@code os.features}; never null
 * @param variant      e.g. {@code v8}; may be null
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"architecture", "os", "os.version", "os.features", "variant"})
public record Platform(
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures,
        @JsonProperty("variant") String variant) {

    public Platform {
        // lenient on read: attestation entries and odd indexes may omit them
        architecture = architecture == null || architecture.isEmpty() ? "unknown" : architecture;
        os = os == null || os.isEmpty() ? "unknown" : os;
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
        variant = variant == null || variant.isEmpty() ? null : variant;
        osVersion = osVersion == null || osVersion.isEmpty() ? null : osVersion;
    }

    public static Platform of(String os, String architecture, String variant) {
        return new Platform(architecture, os, null, null, variant);
    }

    /**
     * Parses {@code os/arch[/variant]}, e.g. {@code linux/arm64/v8}. Case is folded to lower case,
     * as Docker does.
     */
    public static Platform parse(String text) {
        String[] parts = text.trim().toLowerCase(Locale.ROOT).split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || (parts.length == 3 && parts[2].isEmpty())) {
            throw new KilnException("invalid platform '" + text + "'",
                    "use os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8", null);
        }
        return of(parts[0], normalizeArchitecture(parts[1]), parts.length == 3 ? parts[2] : null);
    }

    /** The platform of the running JVM, in OCI terms (Java's {@code aarch64} becomes {@code arm64}). */
    public static Platform current() {
        String os = System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT);
        String goOs = os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "darwin" : os;
        String arch = normalizeArchitecture(System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT));
        return of(goOs, arch, defaultVariant(arch));
    }

    /** Maps Java and uname architecture names to Go's. */
    static String normalizeArchitecture(String arch) {
        return switch (arch) {
            case "x86_64", "x86-64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "386";
            case "armhf", "armel", "arm", "aarch32" -> "arm";
            case "ppc64el" -> "ppc64le";
            default -> arch;
        };
    }

    private static String defaultVariant(String arch) {
        return switch (arch) {
            case "arm64" -> "v8";
            case "arm" -> "v7";
            default -> null;
        };
    }

    /** The variant with the defaults Docker assumes filled in ({@code arm64} → {@code v8}). */
    public String normalizedVariant() {
        if (variant != null) {
            if ("amd64".equals(architecture) && "v1".equals(variant)) {
                return null;
            }
            return variant;
        }
        return defaultVariant(architecture);
    }

    /**
     * Whether an image for {@code candidate} satisfies a request for this platform: same os and
     * architecture, and the same variant once defaults are applied. A request without a variant for
     * an architecture with no default variant matches any variant.
     */
    public boolean matches(Platform candidate) {
        if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) {
            return false;
        }
        if (variant == null && defaultVariant(architecture) == null) {
            return true;
        }
        return Objects.equals(normalizedVariant(), candidate.normalizedVariant());
    }

    public Platform withVariant(String newVariant) {
        return new Platform(architecture, os, osVersion, osFeatures, newVariant);
    }

    public Platform withOsVersion(String newOsVersion) {
        return new Platform(architecture, os, newOsVersion, osFeatures, variant);
    }

    /** {@code os/arch[/variant]}. */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
