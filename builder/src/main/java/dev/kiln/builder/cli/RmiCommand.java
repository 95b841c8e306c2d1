package dev.kiln.builder.cli;

import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.StorePruner;
import dev.kiln.oci.KilnException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "rmi", description = "Remove images from the local store (by name or image ID) and free unused blobs.")
final class RmiCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image names or (short) image IDs.")
    List<String> images;

    @Override
    public Integer call() {
        PrintWriter out = global.out();
        LocalStore store = new LocalStore(global.storeRoot());
        for (String arg : images) {
            List<ImageRecord> matches = store.images().stream()
                    .filter(i -> i.config().hex().startsWith(arg) || i.config().toString().equals(arg)).toList();
            if (matches.isEmpty()) {
                Reference name = Reference.parse(arg);
                if (!store.removeImage(name.toString())) {
                    throw new KilnException("no such image: " + arg, "list images with: kiln images", null);
                }
                out.println("Untagged: " + name.familiarString());
            } else {
                for (ImageRecord i : matches) {
                    store.removeImage(i.name());
                    out.println("Untagged: " + Reference.parse(i.name()).familiarString());
                }
            }
        }
        int removed = store.gc();
        if (removed > 0) {
            out.println("Deleted: " + removed + " blob" + (removed == 1 ? "" : "s"));
        } else if (removed < 0) {
            out.println("Blobs kept for now: another kiln is using the store");
        }
        int extracted = new StorePruner(store).unusedLayerDirs();
        if (extracted > 0) {
            // they may hold files of subordinate ids, which only kiln's user namespace can delete
            out.println(extracted + " extracted layer" + (extracted == 1 ? "" : "s")
                    + " no image uses remain in the store; kiln system prune removes them");
        }
        return Main.EXIT_OK;
    }
}
