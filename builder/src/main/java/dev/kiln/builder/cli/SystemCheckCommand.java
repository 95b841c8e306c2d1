package dev.kiln.builder.cli;

import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.StoreChecker;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "check",
        description = {"Verify the local store: every blob against its digest, every image's blobs,",
        "the image index and the build cache. Changes nothing; exits 1 when something is wrong."})
final class SystemCheckCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Override
    public Integer call() {
        PrintWriter out = global.out();
        LocalStore store = new LocalStore(global.storeRoot());
        StoreChecker.Report r = new StoreChecker(store).check();
        out.println("Checked " + r.blobs() + " blobs, " + r.images() + " images, " + r.layerDirs()
                + " extracted layers, " + r.cacheEntries() + " build cache entries in " + store.root());
        if (!r.leftovers().isEmpty()) {
            out.println(r.leftovers().size() + " leftovers of interrupted runs (kiln system prune removes them):");
            r.leftovers().forEach(l -> out.println("  " + l));
        }
        if (r.clean()) {
            out.println("The store is clean.");
            return Main.EXIT_OK;
        }
        out.println(r.problems().size() + " problems:");
        r.problems().forEach(p -> out.println("  " + p));
        out.println("Pull the damaged images again, or remove them with kiln rmi and kiln system prune.");
        return Main.EXIT_ERROR;
    }
}
