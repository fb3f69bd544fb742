package io.puffgres.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.client.ErrorKind;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.config.Secret;
import java.time.Duration;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class EmulatorApiKeyTest {

    private static TurbopufferClient client(Emulator e, String key) {
        return new TurbopufferClient(
                e.baseUrl(),
                Optional.ofNullable(key).map(k -> Secret.of("TPUF_TEST_KEY", k)),
                ErrorPolicy.defaults(),
                Duration.ofSeconds(5));
    }

    @Test
    void acceptsAnyKeyUnlessOneIsRequired() throws Exception {
        try (Emulator e = Emulator.start(0, null);
                TurbopufferClient none = client(e, null)) {
            assertThat(none.namespaces(null, null, 1).names()).isEmpty();
        }
    }

    @Test
    void answersAWrongOrMissingKeyWith401InTurbopuffersErrorShape() throws Exception {
        try (Emulator e = Emulator.start(0, null).requireApiKey("tpuf_right");
                TurbopufferClient right = client(e, "tpuf_right");
                TurbopufferClient wrong = client(e, "tpuf_wrong");
                TurbopufferClient none = client(e, null)) {
            assertThat(right.namespaces(null, null, 1).names()).isEmpty();
            for (TurbopufferClient c : new TurbopufferClient[] {wrong, none}) {
                assertThatThrownBy(() -> c.namespaces(null, null, 1))
                        .isInstanceOfSatisfying(TurbopufferException.class, ex -> {
                            assertThat(ex.kind()).isEqualTo(ErrorKind.AUTH);
                            assertThat(ex.status()).isEqualTo(401);
                            assertThat(ex.serverMessage()).isEqualTo(Emulator.UNAUTHORIZED);
                            assertThat(ex.getMessage()).doesNotContain("tpuf_wrong");
                        });
            }
            Request raw = new Request.Builder()
                    .url(e.baseUrl() + "/v1/namespaces")
                    .header("Authorization", "Bearer nope")
                    .build();
            try (Response r = new OkHttpClient().newCall(raw).execute()) {
                assertThat(r.code()).isEqualTo(401);
                assertThat(r.header("Content-Type")).isEqualTo("application/json");
                assertThat(r.body().string())
                        .isEqualTo("{\"status\":\"error\",\"error\":\"" + Emulator.UNAUTHORIZED + "\"}");
            }
            Request control =
                    new Request.Builder().url(e.baseUrl() + "/_emulator/stats").build();
            try (Response r = new OkHttpClient().newCall(control).execute()) {
                assertThat(r.code()).isEqualTo(200);
                assertThat(r.body().string()).contains("\"unauthorized\":3");
            }
            e.requireApiKey(null);
            assertThat(none.namespaces(null, null, 1).names()).isEmpty();
        }
    }
}
