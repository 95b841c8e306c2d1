package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.ArgInstruction;
import dev.kiln.builder.dockerfile.CmdInstruction;
import dev.kiln.builder.dockerfile.EntrypointInstruction;
import dev.kiln.builder.dockerfile.EnvInstruction;
import dev.kiln.builder.dockerfile.ExposeInstruction;
import dev.kiln.builder.dockerfile.HealthcheckInstruction;
import dev.kiln.builder.dockerfile.Instruction;
import dev.kiln.builder.dockerfile.LabelInstruction;
import dev.kiln.builder.dockerfile.MaintainerInstruction;
import dev.kiln.builder.dockerfile.OnbuildInstruction;
import dev.kiln.builder.dockerfile.ShellInstruction;
import dev.kiln.builder.dockerfile.StopSignalInstruction;
import dev.kiln.builder.dockerfile.UserInstruction;
import dev.kiln.builder.dockerfile.VolumeInstruction;
import dev.kiln.builder.dockerfile.WorkdirInstruction;
import java.util.Optional;

/** Picks the {@link ConfigChange} class of a metadata instruction. */
public final class ConfigChanges {
    private ConfigChanges() {}

    /**
     * The change {@code in} (already expanded) makes, or empty for instructions that touch the
     * filesystem (FROM, RUN, COPY, ADD).
     *
     * @param cmdSetInStage whether a CMD came earlier in the stage (ENTRYPOINT's reset of CMD)
     */
    public static Optional<ConfigChange> of(Instruction in, boolean cmdSetInStage) {
        ConfigChange c;
        if (in instanceof EnvInstruction e) {
            c = new EnvChange(e);
        } else if (in instanceof ArgInstruction a) {
            c = new ArgChange(a);
        } else if (in instanceof LabelInstruction l) {
            c = new LabelChange(l);
        } else if (in instanceof ExposeInstruction x) {
            c = new ExposeChange(x);
        } else if (in instanceof VolumeInstruction v) {
            c = new VolumeChange(v);
        } else if (in instanceof UserInstruction u) {
            c = new UserChange(u);
        } else if (in instanceof WorkdirInstruction w) {
            c = new WorkdirChange(w);
        } else if (in instanceof CmdInstruction cmd) {
            c = new CmdChange(cmd);
        } else if (in instanceof EntrypointInstruction ep) {
            c = new EntrypointChange(ep, cmdSetInStage);
        } else if (in instanceof StopSignalInstruction s) {
            c = new StopSignalChange(s);
        } else if (in instanceof HealthcheckInstruction h) {
            c = new HealthcheckChange(h);
        } else if (in instanceof ShellInstruction s) {
            c = new ShellChange(s);
        } else if (in instanceof OnbuildInstruction o) {
            c = new OnbuildChange(o);
        } else if (in instanceof MaintainerInstruction m) {
            c = new MaintainerChange(m);
        } else {
            c = null;
        }
        return Optional.ofNullable(c);
    }
}
