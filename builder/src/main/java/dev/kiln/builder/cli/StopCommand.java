package dev.kiln.builder.cli;

import dev.kiln.runtime.linux.Syscalls;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stop", description = "Stop containers: SIGTERM, then SIGKILL after the timeout (like docker stop).")
final class StopCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin ContainerNames containers;

    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds to wait after SIGTERM before SIGKILL (default: 10).")
    int seconds;

    @Override
    public Integer call() throws InterruptedException {
        for (String c : containers.names) {
            ContainerState state = ContainerState.find(c);
            stop(state, seconds);
            global.out().println(c);
        }
        return Main.EXIT_OK;
    }

    /**
     * SIGTERM to the supervising kiln (which passes it to the container's pid 1); after the timeout,
     * SIGKILL to kiln, which takes the container with it (parent-death signals), recorded as 137.
     */
    static void stop(ContainerState state, int seconds) throws InterruptedException {
        if (!state.running()) {
            return;
        }
        Syscalls.kill((int) state.pid(), Syscalls.SIGTERM);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (state.running() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (state.running()) {
            Syscalls.kill((int) state.pid(), Syscalls.SIGKILL);
            while (state.running()) {
                Thread.sleep(20);
            }
            ContainerState now = ContainerState.find(state.id());
            if (now.exitCode() == null) {
                now.exited(137).save();
            }
        } else {
            // kiln recorded the exit code itself; give it a moment to write it
            for (int i = 0; i < 50 && ContainerState.find(state.id()).exitCode() == null; i++) {
                Thread.sleep(20);
            }
        }
    }
}
