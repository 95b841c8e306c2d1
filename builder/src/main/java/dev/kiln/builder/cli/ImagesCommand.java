package dev.kiln.builder.cli;

import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "images", description = "List the images in the local store.")
final class ImagesCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Option(names = {"-q", "--quiet"}, description = "Print only image IDs.")
    boolean quiet;

    @Option(names = "--digests", description = "Show manifest digests.")
    boolean digests;

    @Option(names = "--no-trunc", description = "Do not shorten image IDs.")
    boolean noTrunc;

    @Override
    public Integer call() {
        PrintWriter out = global.out();
        List<ImageRecord> images = new LocalStore(global.storeRoot()).images();
        if (quiet) {
            Set<String> ids = new LinkedHashSet<>();
            images.forEach(i -> ids.add(id(i)));
            ids.forEach(out::println);
            return Main.EXIT_OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(digests ? new String[] {"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"}
                : new String[] {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
        Instant now = Instant.now();
        for (ImageRecord i : images) {
            Reference r = Reference.parse(i.name());
            String tag = r.tag() != null ? r.tag() : "<none>";
            String created = Sizes.age(i.created(), now);
            String size = Sizes.human(i.size());
            rows.add(digests ? new String[] {r.familiarName(), tag, i.manifest().toString(), id(i), created, size}
                    : new String[] {r.familiarName(), tag, id(i), created, size});
        }
        Table.print(out, rows);
        return Main.EXIT_OK;
    }

    private String id(ImageRecord i) {
        return noTrunc ? i.config().toString() : i.config().shortHex();
    }
}
