package io.puffgres.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Flink CDC 3.5.0 breaks with newer pgjdbc (NPE in PostgresScanFetchTask.createDataEvents with 42.7.8), so
 * the driver on the classpath must stay at the version the parent pom pins.
 */
class PgjdbcPinTest {

    @Test
    void pgjdbcStaysAtTheVersionFlinkCdcDeclares() {
        assertThat(org.postgresql.util.DriverInfo.DRIVER_VERSION).isEqualTo("42.7.3");
    }
}
