package dev.kiln.builder.cli;

import dev.kiln.builder.store.StoreLayout;
import dev.kiln.runtime.HostReport;
import dev.kiln.runtime.Isolation;
import dev.kiln.runtime.SandboxException;
import java.io.PrintWriter;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "info",
        description = {"Show what this machine allows (user namespaces, newuidmap and subordinate ids, overlay,",
            "/proc, seccomp) and which isolation kiln picks for RUN and kiln run.",
            "Exit status 1 when no isolation works here; the last lines then say why and what to change."})
final class InfoCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin UserNamespace userns;

    @Option(names = "--isolation", paramLabel = "auto|userns|chroot", defaultValue = "auto",
            description = "Report for this isolation instead of the automatic choice.")
    Isolation isolation;

    @Override
    public Integer call() {
        PrintWriter out = global.out();
        if (!userns.inside()) {
            HostReport.outside().forEach(out::println);
            out.flush();
        }
        OptionalInt outer;
        try {
            outer = userns.enter(isolation);
        } catch (SandboxException e) {
            HostReport.refusal(e, out::println);
            outer = OptionalInt.of(Main.EXIT_ERROR);
        }
        if (outer.isPresent()) {
            out.flush();
            return outer.getAsInt();
        }
        HostReport.Inside inside = HostReport.inside(isolation, new StoreLayout(global.storeRoot()).tmp());
        inside.lines().forEach(out::println);
        out.flush();
        return inside.works() ? Main.EXIT_OK : Main.EXIT_ERROR;
    }
}
