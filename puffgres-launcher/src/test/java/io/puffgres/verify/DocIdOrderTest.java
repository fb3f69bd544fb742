package io.puffgres.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.document.DocId;
import io.puffgres.document.IdType;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DocIdOrderTest {

    private static List<String> sorted(DocId... ids) {
        List<DocId> list = new ArrayList<>(List.of(ids));
        list.sort(DocIdOrder.ORDER);
        return list.stream().map(DocId::toString).toList();
    }

    @Test
    void ordersUintsUnsignedUuidsByTheirBytesAndStringsByUtf8Bytes() {
        assertThat(sorted(new DocId.Uint(-1), new DocId.Uint(10), new DocId.Uint(9)))
                .containsExactly("9", "10", "18446744073709551615");
        // Java's UUID.compareTo is signed; turbopuffer and Postgres compare the bytes
        assertThat(sorted(
                        new DocId.Uuid(UUID.fromString("f0000000-0000-0000-0000-000000000000")),
                        new DocId.Uuid(UUID.fromString("10000000-0000-0000-0000-000000000000"))))
                .containsExactly("10000000-0000-0000-0000-000000000000", "f0000000-0000-0000-0000-000000000000");
        assertThat(sorted(
                        new DocId.Str("é"),
                        new DocId.Str("a"),
                        new DocId.Str("B"),
                        new DocId.Str("10"),
                        new DocId.Str("9")))
                .containsExactly("10", "9", "B", "a", "é");
    }

    @Test
    void sqlOrderMatchesEachIdType() {
        assertThat(DocIdOrder.orderBy("id", IdType.UINT)).isEqualTo("\"id\"");
        assertThat(DocIdOrder.orderBy("key", IdType.UUID)).isEqualTo("\"key\"::uuid");
        assertThat(DocIdOrder.orderBy("slug", IdType.STRING)).isEqualTo("\"slug\"::text COLLATE \"C\"");
    }

    @Test
    void readsIdsAsTurbopufferReturnsThemAndRejectsAnotherType() {
        assertThat(DocIdOrder.fromJson(7, IdType.UINT, "ns")).isEqualTo(new DocId.Uint(7));
        assertThat(DocIdOrder.fromJson(new BigInteger("18446744073709551615"), IdType.UINT, "ns"))
                .isEqualTo(new DocId.Uint(-1));
        assertThat(DocIdOrder.fromJson("A0000000-0000-4000-8000-000000000006", IdType.UUID, "ns"))
                .isEqualTo(new DocId.Uuid(UUID.fromString("a0000000-0000-4000-8000-000000000006")));
        assertThatThrownBy(() -> DocIdOrder.fromJson("abc", IdType.UINT, "pages"))
                .hasMessage("namespace pages holds the id abc, which is not a uint id as the mapping declares");
    }
}
