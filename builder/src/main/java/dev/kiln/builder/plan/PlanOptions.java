package dev.kiln.builder.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the user asked: {@code --build-arg}s, {@code --target} (null = last stage), and the target
 * and build platforms as {@code os/arch[/variant]} (null = the host's).
 */
public record PlanOptions(Map<String, String> buildArgs, String target, String targetPlatform, String buildPlatform) {

    public PlanOptions {
        buildArgs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
        targetPlatform = targetPlatform == null ? hostPlatform() : targetPlatform;
        buildPlatform = buildPlatform == null ? hostPlatform() : buildPlatform;
    }

    public static PlanOptions defaults() {
        return new PlanOptions(Map.of(), null, null, null);
    }

    public PlanOptions withTarget(String t) {
        return new PlanOptions(buildArgs, t, targetPlatform, buildPlatform);
    }

    public PlanOptions withBuildArgs(Map<String, String> args) {
        return new PlanOptions(args, target, targetPlatform, buildPlatform);
    }

    /** The host as an OCI platform, e.g. {@code linux/amd64}. */
    public static String hostPlatform() {
        String arch = System.getProperty("os.arch");
        String oci = switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "arm" -> "arm/v7";
            default -> arch;
        };
        return "linux/" + oci;
    }

    /** The predefined platform ARGs for these options. */
    public Map<String, String> predefinedArgs() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "TARGET", targetPlatform);
        put(m, "BUILD", buildPlatform);
        return m;
    }

    private static void put(Map<String, String> m, String prefix, String platform) {
        String[] p = platform.split("/", 3);
        m.put(prefix + "PLATFORM", platform);
        m.put(prefix + "OS", p[0]);
        m.put(prefix + "ARCH", p.length > 1 ? p[1] : "");
        m.put(prefix + "VARIANT", p.length > 2 ? p[2] : "");
    }
}
