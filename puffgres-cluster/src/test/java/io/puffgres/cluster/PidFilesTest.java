package io.puffgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFilesTest {

    @TempDir
    Path dir;

    @Test
    void numbersNewTaskManagersPastEveryOneRecorded() throws IOException {
        ClusterHome home = new ClusterHome(dir);
        Files.createDirectories(home.pidDir());
        PidFiles pids = new PidFiles(home);
        assertThat(pids.nextTaskManager()).isEqualTo("taskmanager-1");

        for (String name : new String[] {"jobmanager", "taskmanager-1", "taskmanager-10", "taskmanager-2"}) {
            Files.writeString(home.pidDir().resolve(name + ".pid"), "1");
        }

        assertThat(pids.taskManagers()).containsExactly("taskmanager-1", "taskmanager-2", "taskmanager-10");
        assertThat(pids.nextTaskManager()).isEqualTo("taskmanager-11");
    }

    @Test
    void aPidOfAnotherProgramDoesNotCountAsTheProcess() throws IOException {
        ClusterHome home = new ClusterHome(dir);
        Files.createDirectories(home.pidDir());
        // this test JVM runs, but not Flink's JobManager
        Files.writeString(
                home.pidDir().resolve("jobmanager.pid"),
                Long.toString(ProcessHandle.current().pid()));
        Files.writeString(home.pidDir().resolve("taskmanager-1.pid"), "not a pid");

        PidFiles pids = new PidFiles(home);

        assertThat(pids.running("jobmanager")).isEmpty();
        assertThat(pids.running("taskmanager-1")).isEmpty();
        assertThat(pids.running("taskmanager-2")).isEmpty();
    }
}
