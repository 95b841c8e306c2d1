package dev.kiln.runtime;

import dev.kiln.runtime.linux.ChildProgram;
import dev.kiln.runtime.linux.Spawner;

/**
 * One way of isolating containers: what {@link Sandbox} asks of the chosen {@link Isolation} when
 * a container starts — the namespaces its clone creates, whether its root is an overlay or a
 * private copy, the program its cloned child runs up to exec, whether its chown calls can be
 * recorded — and how it describes itself. The sandbox owns what every backend shares (the spawner,
 * the execution directories, identity checks, failures, the chown recorder's plumbing).
 *
 * <p>A new isolation (e.g. a ptrace tracer for pods that allow neither namespaces nor chroot) is a
 * new {@link Isolation} value, a new implementation here, its {@link Confinement} rules, and a
 * branch in {@link Sandbox}'s choice at open.
 */
sealed interface IsolationBackend {
    Isolation isolation();

    /** The namespaces the spawner's clone creates for a container of {@code spec}. */
    long cloneFlags(ExecSpec spec);

    /** True when a container gets a private copy of its root (changes found by comparing trees). */
    boolean copiesRoot();

    /** True when a container's chown calls can reach a recorder (given a single-id mapping). */
    boolean canRecordOwners();

    /**
     * The program the cloned child runs up to exec; {@code recorder} may be null, and so may
     * {@code userns} (the namespace the child enters before exec: {@link ContainerUserns}).
     */
    ChildProgram program(ExecSpec spec, ContainerSetup.Prepared setup, IdMapping mapping,
            Confinement confinement, ChownRecorder recorder, ContainerUserns userns);

    /** The isolation line's parenthesis before the id mapping, e.g. {@code overlay}. */
    String describeRoot();

    /**
     * New mount, pid, uts and ipc namespaces (and a network namespace for {@code --network none}),
     * the root an overlay — or a private copy where overlay cannot be mounted ({@code overlayProblem}).
     */
    record Namespaces(String overlayProblem) implements IsolationBackend {
        static final long NAMESPACES = Spawner.CLONE_NEWNS | Spawner.CLONE_NEWPID
                | Spawner.CLONE_NEWUTS | Spawner.CLONE_NEWIPC;

        @Override
        public Isolation isolation() {
            return Isolation.USERNS;
        }

        @Override
        public long cloneFlags(ExecSpec spec) {
            return NAMESPACES | (spec.network() == Network.NONE ? Spawner.CLONE_NEWNET : 0);
        }

        @Override
        public boolean copiesRoot() {
            return overlayProblem != null;
        }

        @Override
        public boolean canRecordOwners() {
            return true;
        }

        @Override
        public ChildProgram program(ExecSpec spec, ContainerSetup.Prepared setup, IdMapping mapping,
                Confinement confinement, ChownRecorder recorder, ContainerUserns userns) {
            return ContainerSetup.namespaced(spec, setup, mapping, confinement, recorder, userns);
        }

        @Override
        public String describeRoot() {
            return overlayProblem == null ? "overlay" : "copy + tree walk: overlay " + overlayProblem;
        }
    }

    /**
     * No new namespaces (root where they are refused, {@code namespaceProblem} says why, or asked
     * for): chroot into a private copy of the root filesystem.
     */
    record Chroot(String namespaceProblem) implements IsolationBackend {
        @Override
        public Isolation isolation() {
            return Isolation.CHROOT;
        }

        @Override
        public long cloneFlags(ExecSpec spec) {
            return 0;
        }

        @Override
        public boolean copiesRoot() {
            return true;
        }

        @Override
        public boolean canRecordOwners() {
            return false;
        }

        @Override
        public ChildProgram program(ExecSpec spec, ContainerSetup.Prepared setup, IdMapping mapping,
                Confinement confinement, ChownRecorder recorder, ContainerUserns userns) {
            return ContainerSetup.chrooted(spec, setup, mapping, confinement, userns);
        }

        @Override
        public String describeRoot() {
            return "copy + tree walk" + (namespaceProblem == null ? "" : "; namespaces: " + namespaceProblem);
        }
    }
}
