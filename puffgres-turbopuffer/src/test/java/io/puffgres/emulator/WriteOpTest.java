package io.puffgres.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Attribute checks, which look up each shape of document once per request. */
class WriteOpTest {

    private static ObjectNode write(Namespace ns, String json) throws Exception {
        return WriteOp.apply(ns, (ObjectNode) new ObjectMapper().readTree(json), Instant.EPOCH);
    }

    @Test
    void aTypeInferredInOneShapeHoldsForDocumentsOfEveryShapeInTheRequest() throws Exception {
        Namespace ns = new Namespace("w", Instant.EPOCH);
        // document 1 has no value to infer `tag` from; document 2 (another shape) makes it a string; document 3 has
        // document 1's shape, and its int does not fit
        String rows = "{\"upsert_rows\":[{\"id\":1,\"tag\":null,\"n\":1},{\"id\":2,\"tag\":\"x\"},"
                + "{\"id\":3,\"tag\":5,\"n\":2}]}";
        assertThatThrownBy(() -> write(ns, rows))
                .isInstanceOf(TpufError.class)
                .hasMessageContaining("value 5 for attribute 'tag'")
                .hasMessageContaining("type string");
        assertThat(ns.docs).isEmpty();
        assertThat(ns.schema).isEmpty();

        write(ns, "{\"upsert_columns\":{\"id\":[1,2,3],\"tag\":[null,\"x\",\"y\"],\"n\":[1,null,3]}}");
        assertThat(ns.typeOf("tag")).isEqualTo("string");
        assertThat(ns.typeOf("n")).isEqualTo("int");
        assertThatThrownBy(() -> write(ns, "{\"upsert_columns\":{\"id\":[4,5],\"tag\":[\"z\",6]}}"))
                .hasMessageContaining("value 6 for attribute 'tag'");
        assertThat(ns.docs).hasSize(3);
    }

    @Test
    void checksEveryNameOfEveryShapeAndConvertsVectors() throws Exception {
        Namespace ns = new Namespace("v", Instant.EPOCH);
        assertThatThrownBy(() -> write(ns, "{\"upsert_rows\":[{\"id\":1,\"a\":1},{\"id\":2,\"a\":1,\"$b\":2}]}"))
                .hasMessageContaining("invalid attribute name '$b'");
        write(
                ns,
                "{\"distance_metric\":\"cosine_distance\",\"upsert_columns\":{\"id\":[1,2],"
                        + "\"vector\":[[1,0],[0.5,0.25]]}}");
        assertThat(ns.typeOf("vector")).isEqualTo("[2]f32");
        assertThat(ns.docs.get(2L).get("vector").toString()).isEqualTo("[0.5,0.25]");
        assertThatThrownBy(() -> write(
                        ns,
                        "{\"distance_metric\":\"cosine_distance\",\"upsert_rows\":[{\"id\":3,\"vector\":[1,2,3]}]}"))
                .hasMessageContaining("does not match its type [2]f32");
    }

    @Test
    void aDatetimeBeyondWhatMillisecondsHoldIsABadRequestNotAServerError() throws Exception {
        Namespace ns = new Namespace("d", Instant.EPOCH);
        write(
                ns,
                "{\"schema\":{\"at\":{\"type\":\"datetime\"}},\"upsert_rows\":[{\"id\":1,\"at\":\"2024-05-01T00:00:00Z\"}]}");
        assertThatThrownBy(() -> write(ns, "{\"upsert_rows\":[{\"id\":2,\"at\":\"+999999999-12-31T00:00:00Z\"}]}"))
                .hasMessageContaining("does not match its type datetime");
    }
}
