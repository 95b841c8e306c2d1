package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.builder.cli.Main;
import dev.kiln.oci.Json;
import dev.kiln.oci.testing.ExternalTool;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs kiln commands in-process against one store root, and skopeo as the judge. */
final class Kiln {
    /** One command's outcome. */
    record Run(int exit, String out, String err) {
        Run ok() {
            assertThat(exit).as("kiln exit code; stderr:\n" + err).isZero();
            return this;
        }
    }

    private final Path root;

    Kiln(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** {@code kiln COMMAND --root ROOT ARGS...}. */
    Run run(String command, String... args) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.add("--root");
        all.add(root.toString());
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** {@code skopeo inspect [--raw] --tls-verify=false LOCATION} as JSON. */
    static JsonNode skopeoInspect(String location, boolean raw) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "inspect"));
        if (raw) {
            cmd.add("--raw");
        }
        if (location.startsWith("docker://")) {
            cmd.add("--tls-verify=false");
        }
        cmd.add(location);
        return Json.readTree(ExternalTool.run(cmd.toArray(String[]::new)).assertSuccess().stdout()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
