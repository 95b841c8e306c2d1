package dev.kiln.builder.cli;

import dev.kiln.builder.snapshot.ProcessIds;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.KilnException;
import dev.kiln.runtime.Isolation;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rm", description = "Remove stopped containers and their files.")
final class RmCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin UserNamespace userns;
    @Spec CommandSpec spec;

    @Option(names = {"-f", "--force"}, description = "Stop running containers first (SIGKILL at once).")
    boolean force;

    @Parameters(paramLabel = "CONTAINER", arity = "1..*", description = "Container IDs (or prefixes) or names.")
    List<String> containers;

    @Override
    public Integer call() throws InterruptedException {
        for (String c : containers) {
            ContainerState state = ContainerState.find(c);
            if (state.running()) {
                if (!force) {
                    throw new KilnException("container " + c + " is running", "stop it first, or use kiln rm -f", null);
                }
                StopCommand.stop(state, 0);
            }
        }
        // files written by containers may belong to subordinate ids: delete from inside (real root
        // deletes anyone's and stays outside, as kiln system prune does)
        if (!ProcessIds.isRoot()) {
            OptionalInt outer = userns.enter(Isolation.AUTO);
            if (outer.isPresent()) {
                return outer.getAsInt();
            }
        }
        for (String c : containers) {
            LocalStore.deleteTree(ContainerState.find(c).dir());
            spec.commandLine().getOut().println(c);
        }
        return Main.EXIT_OK;
    }
}
