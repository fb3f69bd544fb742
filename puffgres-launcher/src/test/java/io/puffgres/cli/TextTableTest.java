package io.puffgres.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TextTableTest {

    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    @Test
    void padsColumnsToTheWidestCellAndRightAlignsNumbers() {
        StringWriter text = new StringWriter();
        new TextTable("NAME", "COUNT>", "NOTE")
                .row("pages", 12345, "x")
                .row("a", 7, "")
                .print(new PrintWriter(text, true));
        assertThat(text.toString()).isEqualTo("NAME   COUNT  NOTE\n" + "pages  12345  x\n" + "a          7\n");
    }

    @Test
    void saysHowLongAgoAsADurationPeopleRead() {
        assertThat(TextTable.ago(NOW.minusSeconds(3), NOW)).isEqualTo("3 s ago");
        assertThat(TextTable.ago(NOW.minusSeconds(119), NOW)).isEqualTo("1 min 59 s ago");
        assertThat(TextTable.ago(NOW.minusSeconds(600), NOW)).isEqualTo("10 min ago");
        assertThat(TextTable.ago(NOW.minusSeconds(3 * 3600), NOW)).isEqualTo("3 h ago");
        assertThat(TextTable.ago(NOW.plusSeconds(2), NOW)).isEqualTo("0 s ago");
        assertThat(TextTable.ago(null, NOW)).isEqualTo("never");
    }

    @Test
    void printsADurationInItsTwoLargestUnitsNeverAsIso8601() {
        assertThat(TextTable.duration(Duration.ZERO)).isEqualTo("0 s");
        assertThat(TextTable.duration(Duration.ofMillis(999))).isEqualTo("0 s");
        assertThat(TextTable.duration(Duration.ofSeconds(45))).isEqualTo("45 s");
        assertThat(TextTable.duration(Duration.ofSeconds(59))).isEqualTo("59 s");
        assertThat(TextTable.duration(Duration.ofSeconds(60))).isEqualTo("1 min");
        assertThat(TextTable.duration(Duration.ofMinutes(3))).isEqualTo("3 min");
        assertThat(TextTable.duration(Duration.ofSeconds(100))).isEqualTo("1 min 40 s");
        assertThat(TextTable.duration(Duration.ofMinutes(59).plusSeconds(59))).isEqualTo("59 min 59 s");
        assertThat(TextTable.duration(Duration.ofHours(1))).isEqualTo("1 h");
        assertThat(TextTable.duration(Duration.ofMinutes(65).plusSeconds(30))).isEqualTo("1 h 5 min");
        assertThat(TextTable.duration(Duration.ofHours(27).plusMinutes(59))).isEqualTo("1 d 3 h");
        assertThat(TextTable.duration(Duration.ofDays(400))).isEqualTo("400 d");
        assertThat(TextTable.duration(Duration.ofSeconds(-5))).isEqualTo("0 s");
    }

    @Test
    void printsBytesInBinaryUnits() {
        assertThat(TextTable.bytes(0)).isEqualTo("0 B");
        assertThat(TextTable.bytes(1023)).isEqualTo("1023 B");
        assertThat(TextTable.bytes(42816)).isEqualTo("41.8 KiB");
        assertThat(TextTable.bytes(5L << 30)).isEqualTo("5.0 GiB");
    }

    @Test
    void cutsAMessageToItsFirstLine() {
        assertThat(TextTable.oneLine("first\nsecond", 80)).isEqualTo("first");
        assertThat(TextTable.oneLine("abcdefghij", 5)).isEqualTo("abcd…");
        assertThat(TextTable.oneLine(null, 5)).isEmpty();
    }
}
