package io.puffgres.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.client.ErrorKind;
import io.puffgres.client.TurbopufferException;
import io.puffgres.transform.FailureKind;
import org.junit.jupiter.api.Test;

class FailurePolicyTest {

    @Test
    void transientFailuresThatRanOutOfRetriesRestartTheJobWithTheHint() {
        FailurePolicy.Rule rule = FailurePolicy.of(ErrorKind.TRANSIENT);
        assertThat(rule.response()).isEqualTo(FailurePolicy.Response.RESTART);
        assertThat(rule.explain("503")).isEqualTo("503 (hint: [turbopuffer] max_retries)");
    }

    @Test
    void aRefusedApiKeyStopsTheJobWithTheClientsMessage() {
        FailurePolicy.Rule rule = FailurePolicy.of(ErrorKind.AUTH);
        assertThat(rule.response()).isEqualTo(FailurePolicy.Response.STOP);
        assertThat(rule.explain("401 (hint: check the API key)")).isEqualTo("401 (hint: check the API key)");
    }

    @Test
    void aRejectedOrMisdirectedWriteGoesToTheDlq() {
        assertThat(FailurePolicy.of(ErrorKind.PERMANENT).response()).isEqualTo(FailurePolicy.Response.DLQ);
        assertThat(FailurePolicy.of(ErrorKind.NOT_FOUND).response()).isEqualTo(FailurePolicy.Response.DLQ);
        Failure f = FailurePolicy.rejected(
                "7", new TurbopufferException(ErrorKind.PERMANENT, 400, "write to items: 400", "bad vector", null));
        assertThat(f)
                .isEqualTo(new Failure(
                        FailureKind.REJECTED,
                        "7",
                        "turbopuffer rejected the write: bad vector",
                        "write to items: 400"));
    }

    @Test
    void everyKindHasARule() {
        for (ErrorKind kind : ErrorKind.values()) {
            assertThat(FailurePolicy.of(kind)).as(kind.name()).isNotNull();
        }
    }
}
