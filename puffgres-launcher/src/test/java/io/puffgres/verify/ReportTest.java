package io.puffgres.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static Report.Category none() {
        return new Report.Category(0, List.of());
    }

    @Test
    void anEqualMappingIsOneLine() {
        Report r = new Report("pages", 2, "pages_v2", 3, 3, none(), none(), none(), none(), 1);
        assertThat(r.equal()).isTrue();
        assertThat(r.lines())
                .containsExactly("pages v2 -> namespace pages_v2: 3 member rows in Postgres, 3 documents in"
                        + " turbopuffer, 1 skipped by the transform: equal");
    }

    @Test
    void listsEachCategoryWithItsSamplesAndSaysWhenThereAreMore() {
        Report r = new Report(
                "pages",
                1,
                "pages",
                40,
                39,
                new Report.Category(12, List.of("1", "2")),
                none(),
                new Report.Category(1, List.of("5: title: expected \"A\", found \"B\"")),
                new Report.Category(1, List.of("NULL: id: id column \"id\" (id type uint) is NULL")),
                0);
        assertThat(r.equal()).isFalse();
        assertThat(r.lines())
                .containsExactly(
                        "pages v1 -> namespace pages: 40 member rows in Postgres, 39 documents in turbopuffer: 14"
                                + " difference(s)",
                        "  missing 12, member rows without a document (first 2): 1, 2",
                        "  stale 1, documents that differ from the transformed row:",
                        "    5: title: expected \"A\", found \"B\"",
                        "  errors 1, rows the job sends to the DLQ:",
                        "    NULL: id: id column \"id\" (id type uint) is NULL");
    }
}
