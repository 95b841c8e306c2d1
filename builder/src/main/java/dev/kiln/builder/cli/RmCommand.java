package dev.kiln.builder.cli;

import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.KilnException;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rm", description = "Remove stopped containers and their files.")
final class RmCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin ContainerNames containers;
    @Mixin UserNamespace userns;

    @Option(names = {"-f", "--force"}, description = "Stop running containers first (SIGKILL at once).")
    boolean force;

    @Override
    public Integer call() throws InterruptedException {
        for (String c : containers.names) {
            ContainerState state = ContainerState.find(c);
            if (state.running()) {
                if (!force) {
                    throw new KilnException("container " + c + " is running", "stop it first, or use kiln rm -f", null);
                }
                StopCommand.stop(state, 0);
            }
        }
        OptionalInt outer = userns.enterToDelete();
        if (outer.isPresent()) {
            return outer.getAsInt();
        }
        for (String c : containers.names) {
            LocalStore.deleteTree(ContainerState.find(c).dir());
            global.out().println(c);
        }
        return Main.EXIT_OK;
    }
}
