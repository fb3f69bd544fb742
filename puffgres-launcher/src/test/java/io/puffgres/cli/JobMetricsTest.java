package io.puffgres.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobMetricsTest {

    @Test
    void findsEveryWriterInAVertexName() {
        assertThat(JobMetrics.writerMappings("pages: apply + write")).containsExactly("pages");
        assertThat(JobMetrics.writerMappings(
                        "Source: postgres cdc -> pages: route -> pages: lookup -> pages: apply" + " + write"))
                .containsExactly("pages");
        assertThat(JobMetrics.writerMappings("Source: postgres cdc -> (pages_v2: route -> pages_v2: lookup ->"
                        + " pages_v2: apply + write, orgs: route -> orgs: lookup -> orgs: apply + write)"))
                .containsExactly("pages_v2", "orgs");
        assertThat(JobMetrics.writerMappings("dlq: postgres")).isEmpty();
        assertThat(JobMetrics.writerMappings("pages: lookup")).isEmpty();
    }
}
