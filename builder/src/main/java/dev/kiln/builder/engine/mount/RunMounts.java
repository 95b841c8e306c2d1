package dev.kiln.builder.engine.mount;

import dev.kiln.builder.cache.CacheKey;
import dev.kiln.builder.dockerfile.InstructionRules;
import dev.kiln.builder.dockerfile.RunInstruction;
import dev.kiln.builder.dockerfile.RunMount;
import dev.kiln.builder.dockerfile.SourceRange;
import dev.kiln.builder.engine.BuildServices;
import dev.kiln.builder.engine.StepException;
import dev.kiln.builder.engine.context.Archives;
import dev.kiln.builder.engine.context.BuildContext;
import dev.kiln.builder.engine.copy.CopyItem;
import dev.kiln.builder.engine.copy.CopyPlanner;
import dev.kiln.builder.engine.copy.CopySource;
import dev.kiln.builder.engine.copy.CopyWriter;
import dev.kiln.builder.engine.run.MountStubs;
import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.builder.snapshot.Owner;
import dev.kiln.builder.store.StoreLayout;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.files.ImagePaths;
import dev.kiln.runtime.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code RUN --mount}, as BuildKit does it. {@link #of} resolves each mount (target against
 * WORKDIR, its source) and {@link #key} adds what identifies it to the step's cache key: a bind
 * from the context by the digest of the mounted content (COPY's digest), from a stage or image by
 * that stage's key or image ID; a cache mount by its id and sharing; a secret by its id, never its
 * value. On a cache miss {@link #open} makes the host side (a copy for {@code rw} binds, the
 * persistent cache directory under its lock, a secret file readable only by kiln, in
 * {@code /dev/shm} when possible so that it never touches a disk) and
 * {@link #close} releases it all. Nothing mounted ever lands in the layer: the mounts hide their
 * targets, and {@link MountStubs} removes the mount points the image lacked.
 */
public final class RunMounts implements AutoCloseable {
    private static final String SSH_SOCK = "SSH_AUTH_SOCK";
    static final String DEFAULT_SSH_TARGET = "/run/buildkit/ssh_agent.0";

    /** One mount after resolution: its absolute target and, for binds and caches, where it reads from. */
    private record Resolved(RunMount spec, String target, CopySource from, String source) {}

    private final SourceRange at;
    private final List<Resolved> mounts;
    private final BuildServices s;
    private final List<Path> scratch = new ArrayList<>();
    private final List<HeldDir> held = new ArrayList<>();
    private final List<String> env = new ArrayList<>();
    private final Map<String, Boolean> targets = new LinkedHashMap<>();

    private RunMounts(SourceRange at, List<Resolved> mounts, BuildServices s) {
        this.at = at;
        this.mounts = mounts;
        this.s = s;
    }

    /** Resolves the mounts of {@code in}; {@code sources} gives a stage or image by name. */
    public static RunMounts of(RunInstruction in, String workdir, BuildServices s, Function<String, CopySource> sources) {
        List<Resolved> out = new ArrayList<>();
        for (RunMount m : in.mounts()) {
            InstructionRules.mountTarget(m.target(), workdir == null || workdir.isEmpty() ? "/" : workdir, in.range());
            String target = m.target() == null ? null : ImagePaths.resolve(workdir, m.target());
            CopySource from = null;
            if (m.from() != null && !m.from().isEmpty()) {
                try {
                    from = sources.apply(m.from());
                } catch (KilnException e) {
                    throw new StepException(in.range(), e.getMessage(), e.hint().orElse(null), e);
                }
            } else if (m.type() == RunMount.Type.BIND) {
                from = CopySource.of(s.context());
            }
            String source = m.source() == null ? "" : ImagePaths.relative(m.source());
            out.add(new Resolved(m, target, from, source));
        }
        out.sort(Comparator.comparingInt((Resolved r) -> r.target() == null ? 0 : r.target().split("/").length));
        return new RunMounts(in.range(), out, s);
    }

    public boolean isEmpty() {
        return mounts.isEmpty();
    }

    /** Adds every mount's identity to {@code key}: its spec and the content it mounts, never a secret's value. */
    public void key(CacheKey.Builder key) {
        key.add("mounts").add(Integer.toString(mounts.size()));
        for (Resolved r : mounts) {
            RunMount m = r.spec();
            key.add(m.type().name()).add(r.target()).add(String.valueOf(m.readOnly())).add(m.id())
                    .add(m.type() == RunMount.Type.CACHE ? m.sharing().name() : "")
                    .add(String.valueOf(m.mode())).add(String.valueOf(m.uid())).add(String.valueOf(m.gid()))
                    .add(String.valueOf(m.required())).add(m.env()).add(m.size()).add(r.source());
            if (r.from() != null) {
                key.add(r.from().key() != null ? r.from().key() : contextDigest(r));
            }
        }
    }

    /** The digest of a context bind's content (names, types, modes, bytes after the ignore rules). */
    private String contextDigest(Resolved r) {
        BuildContext ctx = r.from().context().get();
        return CopyPlanner.digest(items(ctx, contextPath(ctx, r))).toString();
    }

    /**
     * Makes the host side of every mount; returns the runtime's mounts. Secrets and agents that
     * were not given are skipped unless {@code required}.
     */
    public List<Mount> open() {
        List<Mount> out = new ArrayList<>();
        for (Resolved r : mounts) {
            RunMount m = r.spec();
            switch (m.type()) {
                case BIND -> out.add(bind(r));
                case CACHE -> out.add(cache(r));
                case TMPFS -> out.add(new Mount.Tmpfs(r.target(),
                        m.size() == null ? "" : "size=" + RunMount.bytes(m.size(), at)));
                case SECRET -> secret(r, out);
                case SSH -> ssh(r, out);
                default -> throw new IllegalStateException();
            }
        }
        for (Mount m : out) {
            targets.put(m.target(), m instanceof Mount.Bind b && !Files.isDirectory(b.source()));
        }
        return out;
    }

    /** Variables the mounts add to the RUN's environment (secrets as env, {@code SSH_AUTH_SOCK}); never keyed. */
    public List<String> env() {
        return env;
    }

    /** The mount points {@link #open} asked for: absolute target, true for a file mount. */
    public Map<String, Boolean> targets() {
        return targets;
    }

    private Mount bind(Resolved r) {
        BuildContext ctx = r.from().context().get();
        boolean context = r.from().key() == null;
        if (!context) {
            scratch.add(ctx.dir());
            Path src = inside(ctx.dir(), r.source(), r);
            return new Mount.Bind(src, r.target(), r.spec().readOnly());
        }
        String rel = contextPath(ctx, r);
        Path real = FileNames.resolve(ctx.dir(), rel);
        if (r.spec().readOnly() && nothingIgnored(ctx, rel, real)) {
            return new Mount.Bind(real, r.target(), true);
        }
        // writes to a rw bind go to a throwaway copy; ignored files never reach the container
        Path copy = newScratch("bind");
        try {
            new CopyWriter(copy, LayerFiles.View.EMPTY, Owner.ROOT, -1).write(items(ctx, rel));
        } catch (IOException e) {
            throw new StepException(at, "cannot copy " + (rel.isEmpty() ? "the context" : rel)
                    + " for RUN --mount: " + e.getMessage(), null, e);
        }
        Path src = Files.isDirectory(real) ? copy : copy.resolve(real.getFileName());
        return new Mount.Bind(src, r.target(), r.spec().readOnly());
    }

    /** True when the ignore rules hide nothing at or below {@code rel}: the directory can be bound as it is. */
    private boolean nothingIgnored(BuildContext ctx, String rel, Path real) {
        if (!ctx.hasIgnoreRules() || !Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try (var all = Files.walk(real)) {
            return all.count() - 1 == ctx.below(rel).size();
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    private Mount cache(Resolved r) {
        RunMount m = r.spec();
        // its files' owners on disk depend on the id mapping, as an unpacked layer's do
        String identity = String.join("\0", "cache", m.id(), r.from() == null ? "" : seedKey(r),
                String.valueOf(m.uid()), String.valueOf(m.gid()), String.valueOf(m.mode()))
                + (StoreLayout.OWNER_FORM.isEmpty() ? "" : "\0" + StoreLayout.OWNER_FORM);
        if (s.cacheMounts() == null) {
            throw new StepException(at, "RUN --mount=type=cache needs a store for its cache directories", null);
        }
        HeldDir cache = s.cacheMounts().acquire(identity, m.sharing(), dir -> {
            if (r.from() != null) {
                BuildContext seed = r.from().context().get();
                scratch.add(seed.dir());
                new CopyWriter(dir, LayerFiles.View.EMPTY, Owner.ROOT, -1).write(items(seed, ""));
            }
            Archives.setMode(dir, m.mode() != null ? m.mode() : 0755);
            if (m.uid() != null || m.gid() != null) {
                setOwner(dir, m.uid() == null ? 0 : m.uid(), m.gid() == null ? 0 : m.gid());
            }
        });
        held.add(cache);
        Path dir = cache.dir();
        if (!r.source().isEmpty()) {
            dir = inside(dir, r.source(), r);
        }
        return new Mount.Bind(dir, r.target(), m.readOnly());
    }

    private String seedKey(Resolved r) {
        return r.from().key() != null ? r.from().key() + ":" : contextDigest(r);
    }

    private void secret(Resolved r, List<Mount> out) {
        RunMount m = r.spec();
        var value = s.options().secrets().secret(m.id());
        if (value.isEmpty()) {
            if (m.required()) {
                throw new StepException(at, "secret " + m.id() + " not found: RUN --mount=type=secret requires it",
                        "pass it with --secret id=" + m.id() + ",src=FILE or --secret id=" + m.id() + ",env=VARIABLE");
            }
            return;
        }
        if (m.env() != null) {
            env.add(m.env() + "=" + new String(value.get(), java.nio.charset.StandardCharsets.UTF_8));
        }
        if (r.target() == null) {
            return;
        }
        Path file;
        try {
            Path dir = secretDir();
            file = dir.resolve("secret");
            Archives.setMode(dir, 0700);
            Files.write(file, value.get());
            Archives.setMode(file, m.mode());
            if ((m.uid() != null && m.uid() != 0) || (m.gid() != null && m.gid() != 0)) {
                setOwner(file, m.uid() == null ? 0 : m.uid(), m.gid() == null ? 0 : m.gid());
            }
        } catch (IOException e) {
            throw new StepException(at, "cannot prepare secret " + m.id() + ": " + e.getMessage(), null, e);
        }
        out.add(new Mount.Bind(file, r.target(), true));
    }

    private void ssh(Resolved r, List<Mount> out) {
        RunMount m = r.spec();
        var socket = s.options().secrets().agent(m.id());
        if (socket.isEmpty()) {
            if (m.required()) {
                throw new StepException(at, "no SSH agent forwarded as \"" + m.id()
                        + "\": RUN --mount=type=ssh requires it", "pass one with --ssh " + m.id());
            }
            return;
        }
        if (!Files.exists(socket.get())) {
            throw new StepException(at, "SSH agent socket " + socket.get() + " (--ssh " + m.id() + ") does not exist",
                    "check SSH_AUTH_SOCK or the path given to --ssh");
        }
        out.add(new Mount.Bind(socket.get(), r.target(), false));
        if (r.target().equals(DEFAULT_SSH_TARGET) && env.stream().noneMatch(e -> e.startsWith(SSH_SOCK + "="))) {
            env.add(SSH_SOCK + "=" + r.target());
        }
    }

    /** The context path of a bind's {@code source}: included by the ignore rules, inside the context. */
    private String contextPath(BuildContext ctx, Resolved r) {
        String rel = r.source();
        Path p = FileNames.resolve(ctx.dir(), rel);
        if (!ctx.includes(rel) || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new StepException(at, "RUN --mount source " + (rel.isEmpty() ? "/" : rel)
                    + ": not found in the build context (or excluded by .dockerignore)", null);
        }
        Path real = inside(ctx.dir(), rel, r);
        String realRel = FileNames.relative(ctx.dir(), real);
        if (!ctx.includes(realRel)) {
            // a link to what .dockerignore leaves out must not bring it in
            throw new StepException(at, "RUN --mount source " + rel
                    + ": not found in the build context (or excluded by .dockerignore)", null);
        }
        return realRel;
    }

    /** {@code root/rel} with symlinks followed, refused when it leaves {@code root}. */
    /**
     * {@code rel} under {@code root}, refused if it leads outside. Resolved one component at a
     * time, so that a missing cache sub-directory is created only once its parent is known to be
     * inside the root: a symbolic link a RUN left in the cache (say {@code evil -> /home/you})
     * must not get {@code source=evil/new} created on the host.
     */
    private Path inside(Path root, String rel, Resolved r) {
        try {
            Path realRoot = root.toRealPath();
            Path cur = realRoot;
            for (String part : rel.split("/")) {
                if (part.isEmpty() || part.equals(".")) {
                    continue;
                }
                Path next = part.equals("..") ? cur.getParent() : FileNames.resolve(cur, part);
                if (next == null || !next.startsWith(realRoot)) {
                    throw outside(rel);
                }
                if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                    if (r.spec().type() != RunMount.Type.CACHE) {
                        throw new StepException(at, "RUN --mount source " + (rel.isEmpty() ? "/" : rel) + " not found"
                                + (r.spec().from() != null ? " in " + r.spec().from() : ""), null);
                    }
                    Files.createDirectory(next);
                } else if (Files.isSymbolicLink(next)) {
                    next = next.toRealPath();
                    if (!next.startsWith(realRoot)) {
                        throw outside(rel);
                    }
                }
                cur = next;
            }
            return root.resolve(realRoot.relativize(cur));
        } catch (IOException e) {
            throw new StepException(at, "RUN --mount source " + rel + ": " + e.getMessage(), null, e);
        }
    }

    private StepException outside(String rel) {
        return new StepException(at, "RUN --mount source " + rel + " leads outside its root", null);
    }

    /** The items of {@code rel} in {@code ctx} as COPY would copy them (a directory's contents). */
    private static List<CopyItem> items(BuildContext ctx, String rel) {
        List<CopyItem> items = new ArrayList<>();
        Path real = FileNames.resolve(ctx.dir(), rel);
        if (!Files.isDirectory(real)) {
            items.add(new CopyItem.FromDisk(FileNames.name(real), real, CopyItem.Kind.FILE));
            return items;
        }
        for (Map.Entry<String, Boolean> e : ctx.below(rel).entrySet()) {
            String sub = e.getKey().substring(rel.isEmpty() ? 0 : rel.length() + 1);
            Path p = FileNames.resolve(ctx.dir(), e.getKey());
            CopyItem.Kind kind = Files.isSymbolicLink(p) ? CopyItem.Kind.SYMLINK
                    : e.getValue() ? CopyItem.Kind.DIRECTORY : CopyItem.Kind.FILE;
            items.add(new CopyItem.FromDisk(sub, p, kind));
        }
        return items;
    }

    /**
     * A private directory for one secret file: in {@code /dev/shm} (memory) when usable, locked so
     * that a later kiln removes it if this one is killed; else scratch space (in the store, which
     * the next prune cleans).
     */
    private Path secretDir() throws IOException {
        Path shm = SecretDirs.IN_MEMORY;
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            try {
                HeldDir secret = SecretDirs.create(shm);
                held.add(secret);
                return secret.dir();
            } catch (IOException e) {
                // fall back to the build's scratch space
            }
        }
        return newScratch("secret");
    }

    private Path newScratch(String prefix) {
        Path dir = s.newDir(prefix);
        scratch.add(dir);
        return dir;
    }

    private static void setOwner(Path p, int uid, int gid) throws IOException {
        try {
            Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new IOException("cannot give it owner " + uid + ":" + gid + " (" + e.getMessage()
                    + "); with a single-id mapping only 0 works: install uidmap", e);
        }
    }

    @Override
    public void close() {
        held.forEach(HeldDir::close);
        held.clear();
        for (Path p : scratch) {
            FileTrees.deleteQuietly(p);
        }
        scratch.clear();
    }
}
