package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11 finding 4 end to end: a RUN (python from the test registry) tries to unlock its
 * read-only context bind and secret file, and {@code kiln run} its {@code -v …:ro} volume, with
 * mount_setattr, a read-write remount and an unmount, then writes through them; as
 * {@code KILN_IT_USER} (rootless) and as root. Seen to fail on the old code: every call succeeded
 * and the context and the secret file on the host were overwritten.
 */
class ReadOnlyMountsIT {
    static final String ATTACK = """
            import ctypes, errno, os, sys
            libc = ctypes.CDLL(None, use_errno=True)
            class Attr(ctypes.Structure):
                _fields_ = [("set", ctypes.c_uint64), ("clr", ctypes.c_uint64),
                            ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]
            def report(name, target, rc):
                e = ctypes.get_errno()
                print("attack", name, target, "ok" if rc >= 0 else errno.errorcode.get(e, e), flush=True)
            for target in sys.argv[1:]:
                t = target.encode()
                report("mount_setattr", target, libc.syscall(442, -100, t, 0x8000, ctypes.byref(Attr(0, 1, 0, 0)), 32))
                report("remount", target, libc.mount(None, t, None, 32 | 4096, None))
                path = os.path.join(target, "pwned") if os.path.isdir(target) else target
                try:
                    with open(path, "w") as f:
                        f.write("pwned")
                    print("attack write", target, "ok", flush=True)
                except OSError as e:
                    print("attack write", target, errno.errorcode[e.errno], flush=True)
                report("umount", target, libc.umount2(t, 2))
            """;
    @RegisterExtension
    static final UserKiln.AsRoot ROOT = new UserKiln.AsRoot("kiln-ro-mounts-it-");

    @Test
    void build_asUser_bindAndSecretStayReadOnly() throws Exception {
        buildAttack("user", ItEnv.require("KILN_IT_USER"));
    }

    @Test
    void build_asRoot_bindAndSecretStayReadOnly() throws Exception {
        buildAttack("root", "root");
    }

    @Test
    void run_asUser_readOnlyVolumeStaysReadOnly() throws Exception {
        String user = ItEnv.require("KILN_IT_USER");
        Path dir = prepare("run-user", user);
        ExternalTool.Result r = ROOT.kiln().runBare(UserKiln.runuser(user), dir, "run", "--rm",
                "-v", dir.resolve("context") + ":/ctx:ro", python(), "python3", "/ctx/attack.py", "/ctx");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertRefused(r.stdout() + r.stderr(), "/ctx", r.toString());
        assertUntouched(dir);
    }

    /** Builds the attack as {@code user} (root: as this process). */
    private static void buildAttack(String name, String user) throws Exception {
        Path dir = prepare("build-" + name, user);
        Files.writeString(dir.resolve("context/Dockerfile"), "FROM " + python() + "\n"
                + "RUN --mount=type=bind,target=/ctx --mount=type=secret,id=tok "
                + "python3 /ctx/attack.py /ctx /run/secrets/tok\n");
        UserKiln.chown(dir, user);
        ExternalTool.Result r = ROOT.kiln().runBare(UserKiln.runuser(user), dir, "build", "--progress", "plain",
                "--secret", "id=tok,src=" + dir.resolve("secret"), dir.resolve("context").toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String out = r.stdout() + r.stderr();
        assertRefused(out, "/ctx", r.toString());
        assertRefused(out, "/run/secrets/tok", r.toString());
        assertUntouched(dir);
    }

    private static void assertRefused(String out, String target, String context) {
        assertThat(out).as(context).contains("attack mount_setattr " + target + " EPERM",
                "attack remount " + target + " EPERM", "attack write " + target + " EROFS",
                "attack umount " + target + " EPERM");
    }

    private static void assertUntouched(Path dir) throws Exception {
        assertThat(dir.resolve("context/pwned")).doesNotExist();
        assertThat(Files.readString(dir.resolve("secret"))).isEqualTo("s3cret");
    }

    private static Path prepare(String name, String user) throws Exception {
        Path dir = Files.createDirectories(ROOT.kiln().work().resolve(name));
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("attack.py"), ATTACK);
        Files.writeString(dir.resolve("secret"), "s3cret");
        UserKiln.chown(dir, user);
        return dir;
    }

    private static String python() {
        return ItEnv.require("KILN_IT_REGISTRY") + "/library/python:3.9-slim";
    }
}
