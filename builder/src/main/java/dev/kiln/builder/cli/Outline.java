package dev.kiln.builder.cli;

import dev.kiln.builder.dockerfile.ArgInstruction;
import dev.kiln.builder.dockerfile.Instruction;
import dev.kiln.builder.dockerfile.VariableScope;
import dev.kiln.builder.plan.BuildPlan;
import dev.kiln.builder.plan.Stage;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a {@link BuildPlan} as {@code kiln check --print=outline} shows it. */
final class Outline {
    private Outline() {}

    static void text(BuildPlan plan, PrintWriter out) {
        out.println("target: " + plan.target().label() + " (" + plan.stages().size() + " of "
                + stageCount(plan) + " stages needed)");
        out.println("platform: " + plan.options().targetPlatform() + " (build platform "
                + plan.options().buildPlatform() + ")");
        Map<String, String> declared = declaredGlobals(plan);
        if (!declared.isEmpty()) {
            out.println("global args: " + args(declared));
        }
        for (Stage s : plan.stages()) {
            out.println("stage " + s.label() + ": FROM " + s.base().describe()
                    + (s.platform() != null ? " (platform " + s.platform() + ")" : "")
                    + "  [" + s.from().range().position() + "]");
            if (!s.dependsOn().isEmpty()) {
                out.println("  needs: " + s.dependsOn().stream().map(i -> label(plan, i)).toList());
            }
            if (!s.copiedImages().isEmpty()) {
                out.println("  copies from images: " + s.copiedImages());
            }
            if (!s.argsInScope().isEmpty()) {
                out.println("  args: " + args(s.argsInScope()));
            }
            for (Instruction in : s.instructions()) {
                out.println("  " + in.range().startLine() + ": " + oneLine(in.text()));
            }
        }
    }

    static Map<String, Object> json(BuildPlan plan) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", plan.target().label());
        m.put("platform", plan.options().targetPlatform());
        m.put("buildPlatform", plan.options().buildPlatform());
        m.put("globalArgs", declaredGlobals(plan));
        List<Map<String, Object>> stages = new ArrayList<>();
        for (Stage s : plan.stages()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("index", s.index());
            j.put("name", s.name());
            j.put("base", s.base().describe());
            j.put("platform", s.platform());
            j.put("line", s.from().range().startLine());
            j.put("dependsOn", s.dependsOn().stream().map(i -> label(plan, i)).toList());
            j.put("copiedImages", s.copiedImages());
            j.put("args", s.argsInScope());
            List<Map<String, Object>> steps = new ArrayList<>();
            for (Instruction in : s.instructions()) {
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("line", in.range().startLine());
                step.put("instruction", in.keyword());
                step.put("text", oneLine(in.text()));
                steps.add(step);
            }
            j.put("steps", steps);
            stages.add(j);
        }
        m.put("stages", stages);
        return m;
    }

    /** Global ARGs the Dockerfile declares (the predefined platform ARGs are shown as the platform). */
    private static Map<String, String> declaredGlobals(BuildPlan plan) {
        Map<String, String> m = new LinkedHashMap<>(plan.globalArgs());
        m.keySet().removeIf(k -> VariableScope.PLATFORM_ARGS.contains(k) && !declaredBeforeFrom(plan, k));
        return m;
    }

    private static boolean declaredBeforeFrom(BuildPlan plan, String name) {
        for (Instruction in : plan.dockerfile().instructions()) {
            if (!(in instanceof ArgInstruction a)) {
                return false;
            }
            if (a.args().stream().anyMatch(d -> d.name().equals(name))) {
                return true;
            }
        }
        return false;
    }

    private static long stageCount(BuildPlan plan) {
        return plan.dockerfile().instructions().stream()
                .filter(i -> i instanceof dev.kiln.builder.dockerfile.FromInstruction).count();
    }

    private static String label(BuildPlan plan, int index) {
        return plan.stages().stream().filter(s -> s.index() == index).map(Stage::label).findFirst()
                .orElse("#" + index);
    }

    private static String args(Map<String, String> args) {
        List<String> parts = new ArrayList<>();
        args.forEach((k, v) -> parts.add(v == null ? k : k + "=" + v));
        return String.join(" ", parts);
    }

    private static String oneLine(String s) {
        String flat = s.replace('\n', ' ');
        return flat.length() > 120 ? flat.substring(0, 117) + "..." : flat;
    }
}
