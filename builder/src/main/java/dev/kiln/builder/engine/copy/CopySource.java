package dev.kiln.builder.engine.copy;

import dev.kiln.builder.engine.context.BuildContext;
import java.util.function.Supplier;

/**
 * Where a COPY reads from. For the build context the cache key needs the sources' content; an
 * earlier stage or an image is identified by its own key (stage key or image ID), so a cache hit
 * never has to flatten it into a directory: {@link #context()} does that only when asked.
 *
 * @param key     identifies the whole source, or null when the content must be digested
 * @param context the directory to copy from, made on first use
 */
public record CopySource(String key, Supplier<BuildContext> context) {

    public static CopySource of(BuildContext context) {
        return new CopySource(null, () -> context);
    }

    /** A source made at most once, on first use. */
    public static CopySource lazy(String key, Supplier<BuildContext> make) {
        return new CopySource(key, new Supplier<>() {
            private BuildContext made;

            @Override
            public synchronized BuildContext get() {
                if (made == null) {
                    made = make.get();
                }
                return made;
            }
        });
    }
}
