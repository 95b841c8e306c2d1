package dev.kiln.builder.cli;

import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.StorePruner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "prune",
        description = {"Remove unused data (like docker system prune).",
        "Stopped containers, unused build cache, and blobs and extracted layers no image uses;",
        "kiln enters its user namespace to delete files of subordinate ids."})
final class SystemPruneCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin UserNamespace userns;

    @Option(names = {"-a", "--all"}, description = "Also remove every image no running container uses, and all build cache.")
    boolean all;

    @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = global.out();
        if (!force && !confirmed(out)) {
            return Main.EXIT_OK;
        }
        LocalStore store = new LocalStore(global.storeRoot());
        StorePruner pruner = new StorePruner(store);
        List<ContainerState> containers = ContainerState.all();
        boolean stopped = containers.stream().anyMatch(c -> !c.running());
        if (stopped || pruner.hasExtractedFiles()) {
            // confirmed outside: the kiln inside does not ask again
            OptionalInt outer = force ? userns.enterToDelete() : userns.enterToDelete("--force");
            if (outer.isPresent()) {
                return outer.getAsInt();
            }
        }
        List<String> removed = new ArrayList<>();
        for (ContainerState c : containers) {
            if (!c.running()) {
                LocalStore.deleteTree(c.dir());
                removed.add(c.id());
            }
        }
        Set<String> inUse = containers.stream().filter(ContainerState::running).map(ContainerState::image)
                .collect(Collectors.toSet());
        boolean unknownLayers = inUse.stream().anyMatch(name -> store.image(name).isEmpty());
        StorePruner.Result r = pruner.prune(all, inUse, unknownLayers);
        if (!removed.isEmpty()) {
            out.println("Deleted Containers:");
            removed.forEach(out::println);
            out.println();
        }
        for (String name : r.untagged()) {
            out.println("Untagged: " + Reference.parse(name).familiarString());
        }
        out.println("Deleted: " + count(r.blobs(), "blob", "blobs") + ", "
                + count(r.layerDirs(), "extracted layer", "extracted layers") + ", "
                + count(r.cacheEntries(), "build cache entry", "build cache entries"));
        if (unknownLayers) {
            out.println("Extracted layers kept: a running container uses an image no longer in the store");
        }
        out.println();
        out.println("Total reclaimed space: " + Sizes.human(r.bytes()));
        return Main.EXIT_OK;
    }

    private static String count(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private boolean confirmed(PrintWriter out) throws IOException {
        out.println("WARNING! This will remove:");
        out.println("  - all stopped containers");
        out.println(all ? "  - all images without a running container" : "  - all blobs no image uses");
        out.println(all ? "  - all build cache" : "  - unused build cache");
        out.println("  - all extracted layers no remaining image uses");
        out.println();
        out.print("Are you sure you want to continue? [y/N] ");
        out.flush();
        String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return answer != null && answer.strip().toLowerCase(java.util.Locale.ROOT).matches("y|yes");
    }
}
