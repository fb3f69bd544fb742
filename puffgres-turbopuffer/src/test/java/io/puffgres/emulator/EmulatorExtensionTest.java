package io.puffgres.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.client.ErrorKind;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.Query;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.client.WriteRequest;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmulatorExtensionTest {

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static TurbopufferClient client() {
        return new TurbopufferClient(tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(5));
    }

    @Test
    @Order(1)
    void servesOnAFreePort() {
        assertThat(tpuf.emulator().port()).isPositive();
        try (TurbopufferClient c = client()) {
            c.write(
                    "ext",
                    WriteRequest.builder()
                            .upsert(new Document(new DocId.Uint(1), Map.of()))
                            .build());
            assertThat(c.allNamespaces("")).containsExactly("ext");
        }
    }

    @Test
    @Order(2)
    void startsEachTestEmpty() {
        try (TurbopufferClient c = client()) {
            assertThat(c.allNamespaces("")).isEmpty();
            assertThatThrownBy(() -> c.query("ext", Query.builder().count("n").build()))
                    .isInstanceOfSatisfying(
                            TurbopufferException.class,
                            e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        }
    }
}
