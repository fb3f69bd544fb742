package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

/** The log configuration {@code puffgres} ships ({@code src/main/resources/log4j2.properties}), loaded as it is. */
class LogConfigTest {

    /** Debezium 1.9.8's warning (PostgresTaskContext.createReplicationConnection), as it formats it. */
    private static final String DROP_SLOT_WARNING = "Connector has enabled automated replication slot removal upon"
            + " restart ({} = true). This setting is not recommended for production environments, as a new"
            + " replication slot will be created after a connector restart, resulting in missed data change events.";

    private static final String DEBEZIUM_TASK_CONTEXT = "io.debezium.connector.postgresql.PostgresTaskContext";

    /** Keeps what reaches the root logger's appenders. */
    private static final class Captured extends AbstractAppender {
        final List<String> messages = new CopyOnWriteArrayList<>();

        Captured() {
            super("captured", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            messages.add(event.getLoggerName() + " " + event.getLevel() + " "
                    + event.getMessage().getFormattedMessage());
        }
    }

    @Test
    void debeziumsWarningAboutDroppingTheSnapshotSlotsIsFilteredAndNothingElse() {
        LoggerContext context = Configurator.initialize(
                "shipped", null, Path.of("src/main/resources/log4j2.properties").toUri());
        try {
            Captured captured = new Captured();
            captured.start();
            context.getConfiguration().getRootLogger().addAppender(captured, null, null);
            context.updateLoggers();

            var debezium = context.getLogger(DEBEZIUM_TASK_CONTEXT);
            debezium.warn(DROP_SLOT_WARNING, "slot.drop.on.stop");
            debezium.warn("Fetched new xmin from slot of {}", 42);
            debezium.info("not shown at the default level");
            context.getLogger("io.debezium.connector.postgresql.PostgresConnectorTask")
                    .warn(DROP_SLOT_WARNING, "slot.drop.on.stop");

            assertThat(captured.messages)
                    .containsExactly(
                            DEBEZIUM_TASK_CONTEXT + " WARN Fetched new xmin from slot of 42",
                            "io.debezium.connector.postgresql.PostgresConnectorTask WARN Connector has enabled"
                                    + " automated replication slot removal upon restart (slot.drop.on.stop = true)."
                                    + " This setting is not recommended for production environments, as a new"
                                    + " replication slot will be created after a connector restart, resulting in"
                                    + " missed data change events.");
        } finally {
            Configurator.shutdown(context);
        }
    }
}
