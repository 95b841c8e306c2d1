package dev.kiln.builder.engine.copy;

import dev.kiln.builder.dockerfile.AddInstruction;
import dev.kiln.builder.dockerfile.CopyInstruction;
import dev.kiln.builder.dockerfile.InstructionRules;
import dev.kiln.builder.dockerfile.SourceRange;
import dev.kiln.builder.dockerfile.SourcesAndDest;
import java.util.List;

/**
 * What COPY and ADD have in common, after expansion: sources, destination and flags. {@code from}
 * is null for the build context. {@code unpack} is true when local archives are extracted (ADD).
 */
public record CopySpec(
        boolean add,
        SourceRange range,
        SourcesAndDest files,
        String from,
        String chown,
        String chmod,
        List<String> excludes,
        boolean parents,
        boolean link,
        String checksum,
        boolean unpack) {

    public static CopySpec of(CopyInstruction c) {
        return new CopySpec(false, c.range(), c.files(), c.from(), c.chown(), c.chmod(), c.excludes(), c.parents(),
                c.link(), null, false);
    }

    public static CopySpec of(AddInstruction a) {
        return new CopySpec(true, a.range(), a.files(), null, a.chown(), a.chmod(), a.excludes(), false, a.link(),
                a.checksum(), a.unpack() == null || a.unpack());
    }

    String keyword() {
        return add ? "ADD" : "COPY";
    }

    /** BuildKit's history text: {@code COPY [--parents] [--chown=..] [--chmod=..] src... dest # buildkit}. */
    String createdBy() {
        StringBuilder sb = new StringBuilder(keyword());
        if (parents) {
            sb.append(" --parents");
        }
        if (chown != null && !chown.isEmpty()) {
            sb.append(" --chown=").append(chown);
        }
        if (chmod != null && !chmod.isEmpty()) {
            sb.append(" --chmod=").append(chmod);
        }
        for (String s : files.sources()) {
            sb.append(' ').append(files.heredocFor(s).map(h -> "<<" + h.name()).orElse(s));
        }
        return sb.append(' ').append(files.dest()).append(" # buildkit").toString();
    }

    /** {@code --chmod} as a mode, or -1 when not given (validated by {@link InstructionRules}). */
    int chmodBits() {
        return InstructionRules.chmod(chmod, range);
    }
}
