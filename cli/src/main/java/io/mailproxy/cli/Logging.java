package io.mailproxy.cli;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Log level changes at run time ({@code --log-level}); the rest is in logback.xml. */
final class Logging {
    enum Level { ERROR, WARN, INFO, DEBUG, TRACE }

    private Logging() {
    }

    static void setLevel(Level level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ch.qos.logback.classic.Level l = ch.qos.logback.classic.Level.toLevel(level.name());
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(l);
            ctx.getLogger("io.mailproxy").setLevel(l);
            ctx.getLogger("mailproxy.session").setLevel(l);
        }
    }
}
