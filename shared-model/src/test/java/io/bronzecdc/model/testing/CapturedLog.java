package io.bronzecdc.model.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;

/**
 * The log lines of one logger while open, each {@code LEVEL message}, with that logger at DEBUG meanwhile (its level
 * restored on close): for tests that assert what a component warned, and how often.
 */
public final class CapturedLog extends AbstractAppender implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final String loggerName;
    private final Level previousLevel;

    private CapturedLog(String loggerName) {
        super("captured-" + loggerName, null, null, true, Property.EMPTY_ARRAY);
        this.loggerName = loggerName;
        this.previousLevel = LogManager.getLogger(loggerName).getLevel();
    }

    /** Captures {@code loggerName}'s lines from now on. */
    public static CapturedLog of(String loggerName) {
        CapturedLog log = new CapturedLog(loggerName);
        log.start();
        Configurator.setLevel(loggerName, Level.DEBUG);
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(log, Level.DEBUG, null);
        context.updateLoggers();
        return log;
    }

    /** Captures the lines of {@code type}'s logger (named after the class). */
    public static CapturedLog of(Class<?> type) {
        return of(type.getName());
    }

    @Override
    public void append(LogEvent event) {
        if (loggerName.equals(event.getLoggerName())) {
            lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
    }

    /** The lines so far, oldest first. */
    public List<String> lines() {
        return new ArrayList<>(lines);
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(getName());
        Configurator.setLevel(loggerName, previousLevel);
        context.updateLoggers();
        stop();
    }
}
