package io.puffgres.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFileTest {

    private static final RunFile SELF = new RunFile(
            ProcessHandle.current().pid(),
            "0123456789abcdef0123456789abcdef",
            "http://127.0.0.1:8081",
            "pages",
            "2026-12-05T10:00:00Z",
            RunFile.EMBEDDED);

    @Test
    void writesSnakeCaseKeysLikeStatusJson(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("state/run.json");
        SELF.write(file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.fieldNames())
                .toIterable()
                .containsExactlyInAnyOrder("pid", "job_id", "rest_url", "slot", "started_at", "target");
        assertThat(json.get("job_id").asText()).isEqualTo(SELF.jobId());
        assertThat(json.get("rest_url").asText()).isEqualTo(SELF.restUrl());
        assertThat(json.get("started_at").asText()).isEqualTo(SELF.startedAt());
        assertThat(RunFile.live(file)).contains(SELF);
    }

    @Test
    void aCamelCaseFileOfAnEarlierBuildCountsAsNoRun(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.json");
        Files.writeString(
                file,
                "{\"pid\":" + ProcessHandle.current().pid()
                        + ",\"jobId\":\"0123\",\"restUrl\":\"http://localhost:8081\","
                        + "\"slot\":\"pages\",\"startedAt\":\"2026-12-05T10:00:00Z\"}");
        assertThat(RunFile.live(file)).isEmpty();
    }

    @Test
    void aFileOfAProcessThatEndedCountsAsNoRun(@TempDir Path dir) throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path file = dir.resolve("run.json");
        new RunFile(ended.pid(), SELF.jobId(), SELF.restUrl(), SELF.slot(), SELF.startedAt(), SELF.target())
                .write(file);
        assertThat(RunFile.live(file)).isEmpty();
    }
}
