package dev.kiln.builder.engine.run;

import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.files.ImagePaths;
import dev.kiln.oci.layer.OverlayMarkers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Mount points a RUN's mounts need but the image lacks: the runtime creates them in the upper dir
 * (directories, or an empty file for a file mount), and BuildKit keeps them out of the layer. Known
 * before the RUN from the image's listing; after it, each one still empty is removed, deepest
 * first, and so is every parent the image had that overlay copied up only to hold them (an empty
 * upper directory with the image's mode and owner). What the RUN itself wrote stays.
 */
public final class MountStubs {
    /** A path the image lacks, relative; {@code file} when it is a file mount's empty file. */
    private record Stub(String path, boolean file) {}

    private final List<Stub> stubs = new ArrayList<>();
    private final List<String> copiedUp = new ArrayList<>();
    private final LayerFiles.View image;

    private MountStubs(LayerFiles.View image) {
        this.image = image;
    }

    /**
     * The stubs that mounting at {@code targets} (absolute container paths; true = a file mount)
     * makes in {@code image}.
     */
    static MountStubs of(LayerFiles.View image, Map<String, Boolean> targets) {
        MountStubs m = new MountStubs(image);
        for (Map.Entry<String, Boolean> t : targets.entrySet()) {
            String real = image.realPath(ImagePaths.relative(t.getKey()));
            if (real.isEmpty()) {
                continue;
            }
            String[] parts = real.split("/");
            String sofar = "";
            for (int i = 0; i < parts.length; i++) {
                sofar = sofar.isEmpty() ? parts[i] : sofar + "/" + parts[i];
                boolean last = i == parts.length - 1;
                if (image.get(sofar).isEmpty()) {
                    Stub s = new Stub(sofar, last && t.getValue());
                    if (!m.stubs.contains(s)) {
                        m.stubs.add(s);
                    }
                } else if (!last && image.isDirectory(sofar) && !m.copiedUp.contains(sofar)) {
                    m.copiedUp.add(sofar);
                }
            }
        }
        m.copiedUp.removeIf(p -> m.stubs.stream().noneMatch(s -> s.path().startsWith(p + "/")));
        return m;
    }

    /** Removes from {@code upper} the stubs the RUN left empty, and parents copied up only for them. */
    void remove(Path upper) {
        List<Stub> deepestFirst = new ArrayList<>(stubs);
        deepestFirst.sort((a, b) -> b.path().compareTo(a.path()));
        for (Stub s : deepestFirst) {
            Path p = FileNames.resolve(upper, s.path());
            try {
                if (s.file() ? Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) == 0
                        : isEmptyDir(p)) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                // keep it: an empty stub in the layer is harmless
            }
        }
        List<String> parents = new ArrayList<>(copiedUp);
        parents.sort((a, b) -> b.compareTo(a));
        for (String rel : parents) {
            Path p = FileNames.resolve(upper, rel);
            try {
                if (isEmptyDir(p) && !OverlayMarkers.isOpaque(p) && sameAsImage(rel, p)) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                // keep it
            }
        }
    }

    private boolean sameAsImage(String rel, Path p) throws IOException {
        Optional<LayerFiles.Node> n = image.get(rel);
        if (n.isEmpty()) {
            return false;
        }
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        return ((Integer) a.get("mode") & 07777) == n.get().mode() && (Integer) a.get("uid") == n.get().uid()
                && (Integer) a.get("gid") == n.get().gid();
    }

    private static boolean isEmptyDir(Path p) throws IOException {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (var entries = Files.list(p)) {
            return entries.findAny().isEmpty();
        }
    }
}
