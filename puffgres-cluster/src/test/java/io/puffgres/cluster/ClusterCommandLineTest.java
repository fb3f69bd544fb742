package io.puffgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ClusterCommandLineTest {

    @Test
    void startTakesTaskManagersPortsAndHome() {
        ClusterCommandLine line = ClusterCommandLine.parse(new String[] {
            "start", "--taskmanagers", "3", "--rest-port", "18081", "--rpc-port", "16123", "--home", "/tmp/c"
        });

        assertThat(line.command()).isEqualTo("start");
        assertThat(line.taskManagers()).isEqualTo(3);
        assertThat(line.restPort()).contains(18081);
        assertThat(line.rpcPort()).contains(16123);
        assertThat(line.home()).isEqualTo(Path.of("/tmp/c"));
    }

    @Test
    void startsOneTaskManagerOnTheConfiguredPortsByDefault() {
        ClusterCommandLine line = ClusterCommandLine.parse(new String[] {"start"});

        assertThat(line.taskManagers()).isEqualTo(1);
        assertThat(line.restPort()).isEmpty();
        assertThat(line.rpcPort()).isEmpty();
    }

    @Test
    void otherCommandsTakeOnlyHome() {
        assertThat(ClusterCommandLine.parse(new String[] {"stop", "--home", "/tmp/c"})
                        .home())
                .isEqualTo(Path.of("/tmp/c"));
        assertThatThrownBy(() -> ClusterCommandLine.parse(new String[] {"status", "--taskmanagers", "2"}))
                .hasMessage("--taskmanagers is an option of start only");
    }

    @Test
    void namesWhatIsWrong() {
        assertThatThrownBy(() -> ClusterCommandLine.parse(new String[] {})).hasMessage("no command given");
        assertThatThrownBy(() -> ClusterCommandLine.parse(new String[] {"restart"}))
                .hasMessage("unknown command restart");
        assertThatThrownBy(() -> ClusterCommandLine.parse(new String[] {"start", "--taskmanagers"}))
                .hasMessage("--taskmanagers needs a value");
        assertThatThrownBy(() -> ClusterCommandLine.parse(new String[] {"start", "--taskmanagers", "0"}))
                .hasMessage("--taskmanagers must be a number from 1 to 16 (got 0)");
        assertThatThrownBy(() -> ClusterCommandLine.parse(new String[] {"start", "--rest-port", "http"}))
                .hasMessage("--rest-port must be a number from 1 to 65535 (got http)");
        assertThatThrownBy(() -> ClusterCommandLine.parse(new String[] {"start", "--verbose", "1"}))
                .hasMessage("unknown option --verbose");
    }
}
