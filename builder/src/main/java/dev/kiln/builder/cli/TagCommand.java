package dev.kiln.builder.cli;

import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.KilnException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "tag", description = "Give an image in the local store another name.")
final class TagCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "An image name in the store.")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "The new NAME[:TAG].")
    String target;

    @Override
    public Integer call() {
        LocalStore store = new LocalStore(global.storeRoot());
        String from = Reference.parse(source).toString();
        var image = store.image(from).orElseThrow(() -> new KilnException("no such image: " + source,
                "list images with: kiln images", null));
        store.putImage(image.withName(Reference.parse(target).toString()));
        return Main.EXIT_OK;
    }
}
