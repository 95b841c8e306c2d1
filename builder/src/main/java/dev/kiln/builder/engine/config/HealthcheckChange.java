package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.HealthcheckInstruction;
import dev.kiln.oci.Healthcheck;
import dev.kiln.oci.ImageConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * HEALTHCHECK: replaces {@code Healthcheck} ({@code ["NONE"]} disables an inherited one; shell form
 * is {@code CMD-SHELL}); history is Go's {@code %q} of the struct, e.g.
 * {@code HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/"] "30s" "0s" "0s" "0s" '\x03'}}.
 */
record HealthcheckChange(HealthcheckInstruction check) implements ConfigChange {
    Healthcheck healthcheck() {
        List<String> test = new ArrayList<>();
        if (check.disabled()) {
            test.add("NONE");
        } else if (check.test().execForm()) {
            test.add("CMD");
            test.addAll(check.test().args());
        } else {
            test.add("CMD-SHELL");
            test.add(check.test().args().get(0));
        }
        return new Healthcheck(test, nanos(check.interval()), nanos(check.timeout()), nanos(check.startPeriod()),
                nanos(check.startInterval()), check.retries() == null ? 0 : check.retries());
    }

    private static long nanos(Duration d) {
        return d == null ? 0 : d.toNanos();
    }

    @Override
    public ImageConfig apply(ImageConfig before) {
        return before.withConfig(before.config().withHealthcheck(healthcheck()));
    }

    @Override
    public String createdBy(ImageConfig before) {
        Healthcheck h = healthcheck();
        return "HEALTHCHECK &{" + GoFormat.quotedList(h.test())
                + " \"" + GoFormat.duration(Duration.ofNanos(h.interval())) + "\""
                + " \"" + GoFormat.duration(Duration.ofNanos(h.timeout())) + "\""
                + " \"" + GoFormat.duration(Duration.ofNanos(h.startPeriod())) + "\""
                + " \"" + GoFormat.duration(Duration.ofNanos(h.startInterval())) + "\""
                + " " + GoFormat.runeLiteral(h.retries()) + "}";
    }
}
