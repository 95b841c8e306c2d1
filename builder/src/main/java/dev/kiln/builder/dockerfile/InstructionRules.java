package dev.kiln.builder.dockerfile;

import dev.kiln.oci.files.ImagePaths;

/**
 * What an instruction's values must satisfy once its variables are expanded, before anything runs:
 * the one place for these rules, so that {@code kiln check} (through the planner) and
 * {@code kiln build} (the planner, then each step with the image's ENV known) accept and refuse
 * the same Dockerfiles. The messages are BuildKit's.
 */
public final class InstructionRules {
    private InstructionRules() {}

    /** Checks {@code expanded}; throws the first rule it breaks, at its range. */
    public static void check(Instruction expanded) {
        if (expanded instanceof CopyInstruction c) {
            chmod(c.chmod(), c.range());
            for (String src : c.files().sources()) {
                if (c.files().heredocFor(src).isEmpty() && isUrl(src)) {
                    throw new DockerfileException(c.range(), "source can't be a URL for COPY", "use ADD for URLs");
                }
            }
        } else if (expanded instanceof AddInstruction a) {
            chmod(a.chmod(), a.range());
            java.util.List<String> sources = a.files().sources();
            if (a.checksum() != null && (sources.size() != 1 || !isUrl(sources.get(0)))) {
                throw new DockerfileException(a.range(), "checksum can't be specified for "
                        + (sources.size() != 1 ? "multiple sources" : "non-HTTP(S) sources"));
            }
        } else if (expanded instanceof VolumeInstruction v && v.paths().contains("")) {
            throw new DockerfileException(v.range(), "VOLUME specified can not be an empty string");
        } else if (expanded instanceof RunInstruction r) {
            for (RunMount m : r.mounts()) {
                mountTarget(m.target(), null, r.range());
            }
        }
    }

    /**
     * {@code --chmod} as mode bits, or -1 when not given: an octal number up to 07777.
     *
     * @throws DockerfileException at {@code at} for anything else
     */
    public static int chmod(String chmod, SourceRange at) {
        if (chmod == null || chmod.isEmpty()) {
            return -1;
        }
        if (chmod.chars().allMatch(ch -> ch >= '0' && ch <= '7') && chmod.length() <= 5) {
            int mode = Integer.parseInt(chmod, 8);
            if (mode <= 07777) {
                return mode;
            }
        }
        throw new DockerfileException(at, "invalid chmod parameter: '" + chmod
                + "'. it should be octal string and between 0 and 07777");
    }

    /**
     * A {@code RUN --mount} target resolved against {@code workdir} (null where the stage's working
     * directory is not known yet: only an absolute target is judged); "/" is refused.
     */
    public static void mountTarget(String target, String workdir, SourceRange at) {
        if (target == null || workdir == null && !target.startsWith("/")) {
            return;
        }
        if (ImagePaths.resolve(workdir, target).equals("/")) {
            throw new DockerfileException(at, "invalid mount target \"/\" in RUN --mount");
        }
    }

    /** An ADD source fetched over HTTP(S). */
    public static boolean isUrl(String src) {
        return src.startsWith("http://") || src.startsWith("https://");
    }
}
