package dev.kiln.oci.layer;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Sees the entries of a layer tar as {@link LayerExtractor} extracts them, in tar order, so
 * whoever also wants to know what a layer holds (a listing of its paths) reads the blob once.
 * What it saw describes the layer only when the extraction returned normally.
 */
@FunctionalInterface
public interface EntryListener {
    /** Sees nothing. */
    EntryListener NONE = entry -> null;

    /**
     * Called for each entry before it is extracted (whiteouts and opaque markers included, names
     * as written in the tar).
     *
     * @return where a copy of the entry's content goes (regular files only), or null for none
     */
    OutputStream entry(TarArchiveEntry entry) throws IOException;
}
