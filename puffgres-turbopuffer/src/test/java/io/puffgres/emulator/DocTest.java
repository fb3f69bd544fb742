package io.puffgres.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode object(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void attributesComeBackAsTheNodesThatWereStored() throws Exception {
        ObjectNode attrs = object("{\"s\": \"text\", \"i\": 7, \"l\": 12345678901, \"big\": 18446744073709551615,"
                + " \"d\": 1.5, \"b\": true, \"n\": null, \"a\": [1, \"x\"], \"o\": {\"k\": [2]}}");
        Doc d = new Doc(1L, attrs);
        assertThat(d.attrs()).isEqualTo(attrs);
        List<String> types = new ArrayList<>();
        d.forEachAttribute((name, v) -> types.add(name + ":" + v.getNodeType() + ":" + v.numberType()));
        List<String> expected = new ArrayList<>();
        attrs.fields()
                .forEachRemaining(f -> expected.add(f.getKey() + ":"
                        + f.getValue().getNodeType() + ":" + f.getValue().numberType()));
        assertThat(types).isEqualTo(expected);
        assertThat(d.get("l").isLong()).isTrue();
        assertThat(d.get("i").isInt()).isTrue();
        assertThat(d.get("big").isBigInteger()).isTrue();
        assertThat(d.get("n")).as("JSON null reads as absent").isNull();
        assertThat(d.get("missing")).isNull();
        assertThat(d.get("id")).isEqualTo(Values.idNode(1L));
    }

    @Test
    void theSizeIsTheLogicalSizeOfTheAttributes() throws Exception {
        Doc d = new Doc(1L, object("{\"s\": \"abcd\", \"n\": 3, \"b\": false, \"a\": [1, 2], \"o\": {\"kk\": \"x\"}}"));
        assertThat(d.bytes()).isEqualTo(8 + 4 + 8 + 1 + 16 + (2 + 1));
    }

    @Test
    void documentsOfDifferentShapesKeepTheirOwnNames() throws Exception {
        Doc first = new Doc(1L, object("{\"a\": 1, \"b\": 2}"));
        Doc same = new Doc(2L, object("{\"a\": 3, \"b\": 4}"));
        Doc other = new Doc(3L, object("{\"b\": 5, \"c\": 6}"));
        assertThat(first.attrs()).isEqualTo(object("{\"a\": 1, \"b\": 2}"));
        assertThat(same.attrs()).isEqualTo(object("{\"a\": 3, \"b\": 4}"));
        assertThat(other.attrs()).isEqualTo(object("{\"b\": 5, \"c\": 6}"));
        assertThat(other.get("a")).isNull();
    }

    @Test
    void anIdFieldIsTheIdsNotAnAttribute() throws Exception {
        ObjectNode row = object("{\"a\": 1, \"id\": 9, \"b\": \"x\"}");
        Doc d = new Doc(9L, row);
        assertThat(d.attrs()).isEqualTo(object("{\"a\": 1, \"b\": \"x\"}"));
        assertThat(d.get("id")).isEqualTo(Values.idNode(9L));
        assertThat(d.bytes()).isEqualTo(8 + 8 + 1);
        assertThat(row.has("id")).as("the request is left as it was").isTrue();
    }

    @Test
    void changingWhatADocumentGaveOutLeavesTheDocumentAlone() throws Exception {
        ObjectNode attrs = object("{\"a\": 1}");
        Doc d = new Doc(1L, attrs);
        attrs.put("a", 2);
        ObjectNode out = d.attrs();
        out.put("a", 3);
        Doc changed = d.with(Map.of("v", JSON.readTree("[0.5]")));
        assertThat(d.attrs()).isEqualTo(object("{\"a\": 1}"));
        assertThat(changed.attrs()).isEqualTo(object("{\"a\": 1, \"v\": [0.5]}"));
        JsonNode a = changed.get("a");
        assertThat(a.intValue()).isEqualTo(1);
    }
}
