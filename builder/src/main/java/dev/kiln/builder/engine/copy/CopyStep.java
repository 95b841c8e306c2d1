package dev.kiln.builder.engine.copy;

import dev.kiln.builder.cache.CacheKey;
import dev.kiln.builder.engine.BuildServices;
import dev.kiln.builder.engine.StageState;
import dev.kiln.builder.engine.StepException;
import dev.kiln.builder.engine.context.BuildContext;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.builder.snapshot.Owner;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.FileTrees;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * COPY and ADD: resolves the sources, keys the cache on their content, and on a miss writes them
 * into a fresh layer directory and snapshots it. {@code --link} changes nothing here: every COPY
 * layer already holds only what it copies.
 */
public final class CopyStep {
    private CopyStep() {}

    /** Runs the step; true when it came from the cache. */
    public static boolean run(CopySpec spec, CopySource source, StageState state, BuildServices s)
            throws InterruptedException {
        // The key needs no view of the image: the parent key already determines the filesystem,
        // so sources planned against an empty one identify the step (and a hit reads no layer).
        // A stage or image source is identified by its own key, so a hit does not flatten it.
        String workdir = state.config.config().workingDir();
        String content = source.key() != null ? source.key()
                : CopyPlanner.digest(new CopyPlanner(spec, source.context().get(), workdir, LayerFiles.View.EMPTY,
                        s.downloader()).plan()).toString();
        CacheKey key = state.key.next().add(spec.createdBy()).add(String.valueOf(spec.from()))
                .add(String.join("\n", spec.excludes())).add(String.valueOf(spec.unpack()))
                .add(content).build();
        return state.cached(key, s, () -> copy(spec, source, workdir, state, s));
    }

    /** Writes the sources into a fresh layer and adds it to the stage. */
    private static void copy(CopySpec spec, CopySource source, String workdir, StageState state, BuildServices s) {
        s.beforeLayerWork(spec.createdBy());
        LayerFiles.View view = state.view(s);
        List<CopyItem> items = new CopyPlanner(spec, source.context().get(), workdir, view, s.downloader()).plan();
        boolean chown = spec.chown() != null && !spec.chown().isEmpty();
        Owner owner = chown ? chown(spec, view) : Owner.ROOT;
        BuildContext from = source.context().get();
        Path dir = s.newDir("copy");
        try {
            Map<String, Owner> owners = new CopyWriter(dir, view, owner, spec.chmodBits(),
                    chown ? p -> Optional.empty() : from::ownerOf).write(items);
            LayerBlob blob = s.snapshotter().snapshot(dir, s.snapshotOptions().withOwners(owners));
            state.addLayer(blob, spec.createdBy(), s.now());
        } catch (IOException e) {
            throw new StepException(spec.range(), spec.keyword() + " failed: " + e.getMessage(), null, e);
        } finally {
            FileTrees.deleteQuietly(dir);
        }
    }

    private static Owner chown(CopySpec spec, LayerFiles.View view) {
        try {
            return Passwd.resolve(spec.chown(), view);
        } catch (KilnException e) {
            throw new StepException(spec.range(), e.getMessage(), e.hint().orElse(null), e);
        }
    }
}
