package dev.kiln.builder.transport;

import dev.kiln.oci.Compression;
import dev.kiln.oci.KilnException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Tells an OCI archive from a docker archive by the names inside (a file with both is read as OCI). */
public enum ArchiveFormat {
    OCI, DOCKER;

    public static ArchiveFormat detect(Path file) {
        boolean docker = false;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
                TarArchiveInputStream tar = new TarArchiveInputStream(Compression.autoDecompress(raw), "UTF-8")) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (name.equals("oci-layout")) {
                    return OCI;
                }
                docker |= name.equals("manifest.json");
            }
        } catch (IOException e) {
            throw new KilnException("cannot read " + file + ": " + e.getMessage(),
                    "kiln load reads tar archives from kiln save, docker save, podman save or skopeo", e);
        }
        if (docker) {
            return DOCKER;
        }
        throw new KilnException(file + " is neither an OCI archive (no oci-layout) nor a docker archive "
                + "(no manifest.json)");
    }
}
