package io.mailproxy.testsupport.leaks;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reports a leak during it (or by the end of it: a
 * GC is forced then, so unreleased buffers the class dropped are found).
 *
 * <p>Registered for every test class of a module that has {@code mailproxy-test-support} on its
 * test classpath (META-INF/services plus {@code junit.jupiter.extensions.autodetection.enabled}).
 * Installs the recording detector when JUnit loads it, before any test class is initialised.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {

    static {
        LeakDetection.install();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LeakDetection.verifyInstalled();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<LeakReport> leaks = LeakDetection.collectLeaks();
        if (!leaks.isEmpty()) {
            StringBuilder sb = new StringBuilder()
                    .append(leaks.size()).append(" Netty resource leak(s) reported during or before the end of ")
                    .append(context == null ? "this test class" : context.getDisplayName())
                    .append(" (release every buffer you take or drop):");
            for (LeakReport leak : leaks) {
                sb.append("\n\n").append(leak);
            }
            throw new AssertionError(sb.toString());
        }
    }
}
