package dev.kiln.builder.engine.copy;

import dev.kiln.builder.engine.context.Archives;
import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.builder.snapshot.Owner;
import dev.kiln.oci.files.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes planned {@link CopyItem}s into a layer directory as Docker keeps them: modes and mtimes of
 * the sources ({@code --chmod} replaces the mode), symlinks as symlinks, hardlinked sources as
 * hardlinks, owners 0:0 or {@code --chown}'s (a source from a stage or image keeps its owner unless
 * {@code --chown} is given, as Docker). Parent directories missing from the layer are created
 * with the metadata the image already has for them, else 0755; an image directory that receives an
 * entry gets the time of the build instead, as in a BuildKit diff. Owners are returned, not set on
 * disk: the snapshot writes them into the tar headers.
 */
public final class CopyWriter {
    private final Path layer;
    private final LayerFiles.View rootfs;
    private final Owner owner;
    private final Function<Path, Optional<Owner>> sourceOwners;
    private final int chmod;
    private final Map<String, Owner> owners = new HashMap<>();
    private final Map<Object, Path> inodes = new HashMap<>();
    private final List<Map.Entry<Path, FileTime>> dirTimes = new ArrayList<>();
    /** Directories whose time comes from the image: kept only when nothing is written into them. */
    private final Set<Path> imageDirs = new HashSet<>();
    private final Set<Path> writtenInto = new HashSet<>();

    public CopyWriter(Path layer, LayerFiles.View rootfs, Owner owner, int chmod) {
        this(layer, rootfs, owner, chmod, source -> Optional.empty());
    }

    /** @param sourceOwners the owner a source file keeps (COPY --from without --chown), else empty */
    public CopyWriter(Path layer, LayerFiles.View rootfs, Owner owner, int chmod,
            Function<Path, Optional<Owner>> sourceOwners) {
        this.layer = layer;
        this.rootfs = rootfs;
        this.owner = owner == null ? Owner.ROOT : owner;
        this.chmod = chmod;
        this.sourceOwners = sourceOwners;
    }

    /** Writes {@code items}; returns the owner of every path written, relative to the layer root. */
    public Map<String, Owner> write(List<CopyItem> items) throws IOException {
        for (CopyItem item : items) {
            Path target = FileNames.resolve(layer, item.dest());
            ensureParents(item.dest());
            writtenInto.add(target.getParent());
            if (item instanceof CopyItem.FromDisk f) {
                if (!writeFromDisk(f, target)) {
                    owners.put(item.dest(), sourceOwners.apply(f.source()).orElse(owner));
                }
                continue;
            } else if (item instanceof CopyItem.Inline in) {
                Files.deleteIfExists(target);
                Files.write(target, in.content());
                Archives.setMode(target, chmod >= 0 ? chmod : 0644);
            } else if (item instanceof CopyItem.Download d) {
                Files.copy(d.file(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                Archives.setMode(target, chmod >= 0 ? chmod : 0600);
            } else if (item instanceof CopyItem.Archive a) {
                Map<String, Owner> fromTar = Archives.extract(a.archive(), layer, a.dest(),
                        owner.equals(Owner.ROOT) && chmod < 0 ? null : owner);
                owners.putAll(fromTar);
                if (rootfs.get(a.dest()).filter(LayerFiles.Node::isDirectory).isEmpty()) {
                    owners.putIfAbsent(a.dest(), owner); // a new destination is --chown's, as BuildKit's MkdirAll
                }
                continue;
            }
            owners.put(item.dest(), owner);
        }
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            Path dir = dirTimes.get(i).getKey();
            if (imageDirs.contains(dir) && writtenInto.contains(dir)) {
                continue; // the image's directory changed now, as it does in a BuildKit diff
            }
            Files.setLastModifiedTime(dir, dirTimes.get(i).getValue());
        }
        return owners;
    }

    /** Writes one entry; true when it recorded its owner itself. */
    private boolean writeFromDisk(CopyItem.FromDisk f, Path target) throws IOException {
        switch (f.kind()) {
            case DIRECTORY, TARGET -> {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(target);
                    Files.createDirectory(target);
                }
                var existing = rootfs.get(f.dest()).filter(LayerFiles.Node::isDirectory);
                boolean intoTarget = f.kind() == CopyItem.Kind.TARGET;
                if (existing.isPresent() && (chmod < 0 || intoTarget)) {
                    // copying into a directory the image has keeps that directory's metadata
                    LayerFiles.Node n = existing.get();
                    Archives.setMode(target, n.mode());
                    dirTimes.add(Map.entry(target, FileTime.fromMillis(n.mtimeMillis())));
                    imageDirs.add(target);
                    owners.put(f.dest(), new Owner(n.uid(), n.gid()));
                    return true;
                }
                Archives.setMode(target, intoTarget ? 0755 : chmod >= 0 ? chmod : modeOf(f.source()));
                dirTimes.add(Map.entry(target, Files.getLastModifiedTime(f.source())));
                if (intoTarget) {
                    owners.put(f.dest(), owner);
                    return true;
                }
            }
            case SYMLINK -> {
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, Files.readSymbolicLink(f.source()));
                FileTime t = Files.getLastModifiedTime(f.source(), LinkOption.NOFOLLOW_LINKS);
                Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(t, null, null);
            }
            case FILE -> {
                Map<String, Object> a = Files.readAttributes(f.source(), "unix:nlink,ino,dev");
                if ((Integer) a.get("nlink") > 1) {
                    Object key = a.get("dev") + ":" + a.get("ino");
                    Path first = inodes.putIfAbsent(key, target);
                    if (first != null && !first.equals(target)) {
                        Files.deleteIfExists(target);
                        Files.createLink(target, first);
                        return false;
                    }
                }
                Files.deleteIfExists(target);
                // COPY_ATTRIBUTES brings times and xattrs; it skips the mode silently when it cannot
                // give the copy the source's owner (a context another user owns), so set it here
                Files.copy(f.source(), target, StandardCopyOption.COPY_ATTRIBUTES);
                Archives.setMode(target, chmod >= 0 ? chmod : modeOf(f.source()));
            }
        }
        return false;
    }

    private void ensureParents(String dest) throws IOException {
        int slash = dest.lastIndexOf('/');
        if (slash < 0) {
            return;
        }
        String[] parts = dest.substring(0, slash).split("/");
        String rel = "";
        for (String part : parts) {
            rel = rel.isEmpty() ? part : rel + "/" + part;
            Path dir = FileNames.resolve(layer, rel);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Files.createDirectory(dir);
            var existing = rootfs.get(rel).filter(LayerFiles.Node::isDirectory);
            Archives.setMode(dir, existing.map(LayerFiles.Node::mode).orElse(0755));
            owners.put(rel, existing.map(n -> new Owner(n.uid(), n.gid())).orElse(owner));
            existing.ifPresent(n -> {
                dirTimes.add(Map.entry(dir, FileTime.fromMillis(n.mtimeMillis())));
                imageDirs.add(dir);
            });
        }
    }

    private static int modeOf(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode") & 07777;
    }
}
