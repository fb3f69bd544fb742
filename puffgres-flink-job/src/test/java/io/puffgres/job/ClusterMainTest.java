package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.config.ProjectConfig;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The program arguments of a job jar's entry class, as the web UI or {@code POST /jars/:id/run} pass them. */
class ClusterMainTest {

    @Test
    void withoutArgumentsRunsAsPuffgresRunDoes() {
        JobRunner.Options options = ClusterMain.options(new String[0]);

        assertThat(options.slot()).isEmpty();
        assertThat(options.createSlot()).isFalse();
        assertThat(options.fromLsn()).isEmpty();
        assertThat(options.strict()).isFalse();
        assertThat(options.plugin()).isEqualTo("pgoutput");
        assertThat(options.webUiPort()).as("a cluster has its own web UI").isEqualTo(-1);
        assertThat(options.remote()).isEmpty();
        assertThat(options.poll()).isFalse();
    }

    @Test
    void readsEveryArgumentInAnyOrder() {
        JobRunner.Options options = ClusterMain.options(new String[] {
            "--strict", "--plugin", "wal2json", "--slot", "orders_slot", "--from-lsn", "0/16B3748", "--create-slot"
        });

        assertThat(options.slot()).isEqualTo(Optional.of("orders_slot"));
        assertThat(options.createSlot()).isTrue();
        assertThat(options.fromLsn()).isEqualTo(Optional.of("0/16B3748"));
        assertThat(options.strict()).isTrue();
        assertThat(options.plugin()).isEqualTo("wal2json");
    }

    @Test
    void refusesAnUnknownArgumentWithTheUsage() {
        assertThatThrownBy(() -> ClusterMain.options(new String[] {"--slot", "s", "--parallelism", "4"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown argument --parallelism; arguments: [--slot NAME]")
                .hasMessageContaining("--from-lsn LSN");
    }

    @Test
    void refusesAnOptionWithoutItsValue() {
        for (String option : new String[] {"--slot", "--plugin", "--from-lsn"}) {
            assertThatThrownBy(() -> ClusterMain.options(new String[] {"--strict", option}))
                    .as(option)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(option + " needs a value; arguments:");
        }
    }

    @Test
    void refusesAPluginPuffgresCannotRead() {
        assertThatThrownBy(() -> ClusterMain.options(new String[] {"--plugin", "decoderbufs"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--plugin must be pgoutput or wal2json (got decoderbufs)");
    }

    @Test
    void pollReadsWal2jsonWhetherAskedForByArgumentOrByTheProject() {
        JobRunner.Options byArgument = ClusterMain.options(new String[] {"--poll", "--create-slot"});
        assertThat(byArgument.poll()).isTrue();
        assertThat(byArgument.plugin()).isEqualTo("wal2json");
        assertThat(byArgument.createSlot()).isTrue();

        JobRunner.Options byProject = ClusterMain.options(new String[0], ProjectConfig.Source.Mode.POLL);
        assertThat(byProject.poll()).isTrue();
        assertThat(byProject.plugin()).isEqualTo("wal2json");

        JobRunner.Options explicit =
                ClusterMain.options(new String[] {"--plugin", "wal2json", "--poll"}, ProjectConfig.Source.Mode.STREAM);
        assertThat(explicit.poll()).isTrue();
        assertThat(explicit.plugin()).isEqualTo("wal2json");
    }

    @Test
    void refusesPollWithPgoutputNamingBoth() {
        assertThatThrownBy(() -> ClusterMain.options(new String[] {"--poll", "--plugin", "pgoutput"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--poll reads wal2json, so it cannot go with --plugin pgoutput; leave out"
                        + " --plugin (arguments:");
        assertThatThrownBy(() ->
                        ClusterMain.options(new String[] {"--plugin", "pgoutput"}, ProjectConfig.Source.Mode.POLL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the project's [source] mode = \"poll\" reads wal2json, so it cannot go with"
                        + " --plugin pgoutput");
    }
}
