package dev.kiln.oci.testing;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;
import java.util.Arrays;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs JUnit test classes named on the command line in this JVM and prints JUnit's summary and
 * failures: the child side of {@link AsUser}. Exit 0 when at least one test ran and none failed
 * or was aborted, 1 otherwise.
 */
public final class RunTestClasses {
    private RunTestClasses() {
    }

    public static void main(String[] classNames) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(Arrays.stream(classNames).map(name -> selectClass(name)).toList()).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printTo(out);
        summary.printFailuresTo(out, 40);
        boolean ok = summary.getTestsSucceededCount() > 0 && summary.getTotalFailureCount() == 0
                && summary.getTestsAbortedCount() == 0;
        System.exit(ok ? 0 : 1);
    }
}
