package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.cli.ExitCode;
import io.puffgres.cli.RunFile;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.stream.WriterMetric;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Flink web UI of a running {@code puffgres run}, as a user sees it in a browser (headless Chromium): the job
 * graph names each mapping's operators, a puffgres metric can be picked in a vertex's Metrics tab, and a screenshot
 * of it is saved as {@code target/webui/job.png}.
 */
class FlinkWebUiIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    /** The job graph with the metric picked in the writer's Metrics tab. */
    private static final Path SCREENSHOT = Path.of("target", "webui", "job.png");

    /** The page as it was when the test failed. */
    private static final Path FAILURE = Path.of("target", "webui", "failure.png");

    /** The job graph alone, before a vertex is opened. */
    private static final Path GRAPH = Path.of("target", "webui", "graph.png");

    private static final String UPSERTS = WriterMetric.UPSERTS.id();

    /**
     * An operator's name as its metrics carry it: Flink's REST API and web UI replace the spaces and colons of
     * operator names with underscores ({@code webui: apply + write} → {@code webui__apply_+_write}).
     */
    private static final UnaryOperator<String> FLINK_METRIC_NAME =
            name -> name.replace(' ', '_').replace(':', '_');

    private static CliProject running;

    @BeforeAll
    static void startARun() throws Exception {
        running = CliProject.create(db, tpuf, "webui");
        db.execute("INSERT INTO webui VALUES (1, 'one'), (2, 'two'), (3, 'three')");
        ValidateCommandTest.Result started = running.run("run", "--create-slot", "--detach", "--web-ui-port", "0");
        assertThat(started.exitCode()).as(started.err()).isEqualTo(ExitCode.OK);
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(running.titles()).hasSize(3));
    }

    @AfterAll
    static void stopTheRun() {
        running.run("stop");
    }

    @Test
    void showsTheMappingsOperatorsInTheJobGraphAndItsUpsertCountInTheMetricsTab() throws Exception {
        RunFile run =
                RunFile.live(running.dir().resolve("puffgres/state/run.json")).orElseThrow();
        try (HeadlessChromium browser = HeadlessChromium.start(1600, 1200)) {
            try {
                pickTheWritersUpsertsMetric(browser, run);
            } catch (AssertionError | ConditionTimeoutException e) {
                browser.screenshot(FAILURE); // what the page showed when it did not show what was expected
                throw e;
            }
            browser.screenshot(SCREENSHOT);
        }
        assertThat(GRAPH).isNotEmptyFile();
        assertThat(SCREENSHOT).isNotEmptyFile();
    }

    /**
     * What a user does: opens the job, reads the graph, clicks the writer's box, its Metrics tab, and picks the metric by
     * name, shown as a number.
     */
    private static void pickTheWritersUpsertsMetric(HeadlessChromium browser, RunFile run) throws Exception {
        String write = "webui" + WriterMetric.WRITE_SUFFIX;
        browser.open(run.restUrl() + "/#/job/running/" + run.jobId() + "/overview");
        // the job graph: one box per job vertex, the operators chained into it named in the box
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(String.join("\n", browser.texts("flink-dagre g.node")))
                        .contains("webui: route")
                        .contains("webui" + WriterMetric.LOOKUP_SUFFIX)
                        .contains(write));
        browser.screenshot(GRAPH);

        assertThat(browser.click("flink-dagre g.node", write)).isTrue();
        // the drawer slides in; a click during its animation may be lost, so click until the tab is open
        await().atMost(Duration.ofSeconds(30))
                .until(() -> browser.click("flink-job-overview-drawer button[role=tab]", "Metrics")
                        && browser.evaluate("location.hash").asText().endsWith("/metrics"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> browser.click("flink-job-overview-drawer-chart nz-select", ""));
        // the list shows a few of the vertex's ~100 metrics at a time: search it as a user would
        browser.type("flink-job-overview-drawer-chart nz-select input", UPSERTS);
        String metric = "0." + FLINK_METRIC_NAME.apply(write) + "." + UPSERTS;
        await().atMost(Duration.ofSeconds(30)).until(() -> browser.click("nz-option-item", metric));
        await().atMost(Duration.ofSeconds(30)).until(() -> browser.click("flink-job-chart button", "Numeric"));
        assertThat(browser.click("flink-job-chart button", "Big")).isTrue(); // room for the metric's whole name
        // the figure is the writer's own count: the three rows it wrote
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(browser.texts("flink-job-chart .title .text")).containsExactly(metric);
            assertThat(browser.texts("flink-job-chart .numeric")).containsExactly("3");
        });
    }
}
