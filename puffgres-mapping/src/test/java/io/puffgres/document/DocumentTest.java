package io.puffgres.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocumentTest {

    private static final DocId ID = new DocId.Uint(7);

    @Test
    void theConstructorCopiesTheAttributesSoTheCallerCannotChangeTheDocument() {
        Map<String, Object> attributes = new LinkedHashMap<>(Map.of("title", "a"));
        Document d = new Document(ID, attributes);
        attributes.put("title", "b");
        assertThat(d.attributes()).containsExactly(Map.entry("title", "a"));
        assertThatThrownBy(() -> d.attributes().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> d.attributes().entrySet().iterator().next().setValue("c"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aDocumentMadeFromAnothersAttributesIsEqualToIt() {
        Document d = new Document(ID, attributes("title", "a"));
        Document again = new Document(ID, d.attributes());
        assertThat(again).isEqualTo(d).hasSameHashCodeAs(d);
        assertThat(again.attributes()).isEqualTo(Map.of("title", "a"));
        assertThat(again.toString()).contains("title=a");
    }

    @Test
    void idIsNeverAnAttribute() {
        assertThatThrownBy(() -> new Document(ID, Map.of("id", 1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'id'");
        LinkedHashMap<String, Object> withId = attributes("id", 3L);
        assertThatThrownBy(() -> Document.adopt(ID, withId)).isInstanceOf(IllegalArgumentException.class);
    }

    private static LinkedHashMap<String, Object> attributes(Object... pairs) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
