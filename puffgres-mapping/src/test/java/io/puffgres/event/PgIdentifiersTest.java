package io.puffgres.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PgIdentifiersTest {

    @Test
    void quotesEveryNameAndDoublesItsQuotes() {
        assertThat(PgIdentifiers.quote("items")).isEqualTo("\"items\"");
        assertThat(PgIdentifiers.quote("My \"odd\" table")).isEqualTo("\"My \"\"odd\"\" table\"");
        assertThat(PgIdentifiers.quote(new RelationId("app", "my.table"))).isEqualTo("\"app\".\"my.table\"");
    }

    @Test
    void parsesPgvectorTextForm() {
        assertThat(PgVector.parse("[1,2.5, -3]")).containsExactly(1f, 2.5f, -3f);
        assertThat(PgVector.parse(" [] ")).isEmpty();
    }
}
