package io.puffgres.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.event.PgType;
import io.puffgres.event.Unavailable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

/**
 * The values Debezium hands over for the types it has no converter of its own for ({@code include.unknown.datatypes}:
 * their text as UTF-8 bytes) and for the columns {@link PgTextConverter} takes (arrays as their text). pgvector is not
 * installed here, so its path is checked on the bytes Debezium gives.
 */
class ChangeEventDeserializerTest {

    private static final Schema BYTES = SchemaBuilder.bytes().optional().build();
    private static final Schema STRING = SchemaBuilder.string().optional().build();

    @Test
    void aTypeWithoutADebeziumConverterArrivesAsItsText() {
        assertThat((float[]) ChangeEventDeserializer.convert(BYTES, bytes("[1,2.5,-3]"), PgType.of("vector")))
                .containsExactly(1f, 2.5f, -3f);
        assertThat(ChangeEventDeserializer.convert(BYTES, bytes("'a' 'cat' 'fat'"), PgType.of("tsvector")))
                .isEqualTo("'a' 'cat' 'fat'");
        assertThat(ChangeEventDeserializer.convert(BYTES, bytes("Top.Ünïcode"), PgType.of("ltree")))
                .isEqualTo("Top.Ünïcode");
        // bytea stays bytes, and the unchanged-TOAST marker is the marker whatever the type
        assertThat((byte[]) ChangeEventDeserializer.convert(BYTES, bytes("ab"), PgType.of("bytea")))
                .containsExactly('a', 'b');
        assertThat(ChangeEventDeserializer.convert(BYTES, bytes(Unavailable.TEXT), PgType.of("vector")))
                .isSameAs(Unavailable.VALUE);
    }

    @Test
    void anArrayArrivesAsItsTextAndIsParsedWhateverItsDimensions() {
        assertThat(ChangeEventDeserializer.convert(STRING, "{{1,2},{3,NULL}}", PgType.of("int4[]")))
                .isEqualTo(List.of(List.of(1L, 2L), java.util.Arrays.asList(3L, null)));
        assertThat(ChangeEventDeserializer.convert(STRING, "{\"a b\",\"q\\\"\"}", PgType.of("_text")))
                .isEqualTo(List.of("a b", "q\""));
        assertThat(PgTextConverter.arrayText(
                        io.debezium.connector.postgresql.UnchangedToastedReplicationMessageColumn
                                .UNCHANGED_TOAST_VALUE))
                .isEqualTo(Unavailable.TEXT);
        assertThat(ChangeEventDeserializer.convert(STRING, Unavailable.TEXT, PgType.of("int4[]")))
                .isSameAs(Unavailable.VALUE);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
