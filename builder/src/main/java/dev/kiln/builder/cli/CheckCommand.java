package dev.kiln.builder.cli;

import dev.kiln.builder.dockerfile.DockerfileText;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.builder.dockerfile.Dockerfile;
import dev.kiln.builder.dockerfile.DockerfileException;
import dev.kiln.builder.dockerfile.DockerfileWarning;
import dev.kiln.builder.dockerfile.IgnoreFiles;
import dev.kiln.builder.dockerfile.SourceRange;
import dev.kiln.builder.plan.BuildPlan;
import dev.kiln.builder.plan.PlanOptions;
import dev.kiln.builder.plan.Planner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln check}: parse and plan a Dockerfile without building; report errors and warnings. */
@Command(
        name = "check",
        description = "Check a Dockerfile without building it: parse, expand ARGs, plan stages and load the "
                + "ignore file. Prints file:line:column diagnostics; exit code 1 when there are errors.")
public final class CheckCommand implements Callable<Integer> {

    /** Output formats. */
    public enum Format { TEXT, JSON }

    /** What {@code --print} shows besides diagnostics. */
    public enum Print { OUTLINE }

    @Mixin GlobalOptions global;


    @Option(names = {"-f", "--file"}, paramLabel = "DOCKERFILE",
            description = "The Dockerfile (default: CONTEXT/Dockerfile).")
    Path file;

    @Option(names = "--build-arg", paramLabel = "K=V",
            description = "A build-time variable; K alone takes the value from the environment.")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--target", paramLabel = "STAGE", description = "Check only what this stage needs.")
    String target;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text or json (default: text).")
    Format format = Format.TEXT;

    @Option(names = "--print", paramLabel = "WHAT", description = "outline: also list stages, bases, args and steps.")
    Print print;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONTEXT", description = "The build context (default: .).")
    Path context = Path.of(".");

    @Override
    public Integer call() throws IOException {
        PrintWriter out = global.out();
        Path dockerfile = file != null ? file : context.resolve("Dockerfile");
        String shown = file != null ? file.toString() : "Dockerfile";
        CheckReport report = new CheckReport(shown);
        if (!Files.isRegularFile(dockerfile)) {
            report.error(null, "cannot read Dockerfile " + dockerfile + ": no such file", "pass -f PATH or a CONTEXT "
                    + "that holds a Dockerfile");
        } else {
            try {
                String text;
                try (java.io.InputStream in = Files.newInputStream(dockerfile)) {
                    text = DockerfileText.read(shown, in);
                }
                Dockerfile df = Dockerfile.parse(shown, text);
                BuildPlan plan = Planner.plan(df, new PlanOptions(parseBuildArgs(), target, null, null));
                plan.warnings().forEach(report::warning);
                report.plan(plan);
                IgnoreFiles.load(context, dockerfile).validate();
            } catch (DockerfileException e) {
                report.error(e.range().orElse(null), e.detail(), e.hint().orElse(null));
            }
        }
        if (format == Format.JSON) {
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            out.println(json.writeValueAsString(report.toJson(print == Print.OUTLINE)));
        } else {
            report.renderText(out, print == Print.OUTLINE);
        }
        out.flush();
        return report.hasErrors() ? Main.EXIT_ERROR : Main.EXIT_OK;
    }

    private Map<String, String> parseBuildArgs() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : buildArgs) {
            int eq = kv.indexOf('=');
            if (eq < 0) {
                String env = System.getenv(kv);
                if (env != null) {
                    m.put(kv, env);
                }
            } else {
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }

    /** Diagnostics of one check, rendered as text or JSON. */
    static final class CheckReport {
        private final String file;
        private final List<Map<String, Object>> errors = new ArrayList<>();
        private final List<DockerfileWarning> warnings = new ArrayList<>();
        private BuildPlan plan;

        CheckReport(String file) {
            this.file = file;
        }

        void error(SourceRange at, String message, String hint) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("file", at != null ? at.file() : file);
            e.put("line", at != null ? at.startLine() : null);
            e.put("column", at != null ? at.column() : null);
            e.put("message", message);
            e.put("hint", hint);
            errors.add(e);
        }

        void warning(DockerfileWarning w) {
            warnings.add(w);
        }

        void plan(BuildPlan p) {
            plan = p;
        }

        boolean hasErrors() {
            return !errors.isEmpty();
        }

        void renderText(PrintWriter out, boolean outline) {
            for (DockerfileWarning w : warnings) {
                out.println(w.range() != null ? w.render() : file + ": " + w.render());
            }
            for (Map<String, Object> e : errors) {
                String where = e.get("line") != null ? e.get("file") + ":" + e.get("line") + ":" + e.get("column")
                        : String.valueOf(e.get("file"));
                out.println(where + ": error: " + e.get("message"));
                if (e.get("hint") != null) {
                    out.println("  hint: " + e.get("hint"));
                }
            }
            if (outline && plan != null) {
                Outline.text(plan, out);
            }
            if (errors.isEmpty()) {
                out.println(file + ": ok (" + warnings.size() + " warning" + (warnings.size() == 1 ? "" : "s") + ")");
            }
        }

        Map<String, Object> toJson(boolean outline) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", file);
            m.put("ok", errors.isEmpty());
            m.put("errors", errors);
            List<Map<String, Object>> ws = new ArrayList<>();
            for (DockerfileWarning w : warnings) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("file", w.range() != null ? w.range().file() : file);
                j.put("line", w.range() != null ? w.range().startLine() : null);
                j.put("column", w.range() != null ? w.range().column() : null);
                j.put("message", w.message());
                ws.add(j);
            }
            m.put("warnings", ws);
            if (outline && plan != null) {
                m.put("outline", Outline.json(plan));
            }
            return m;
        }
    }
}
