package io.puffgres.preflight;

import io.puffgres.client.ErrorKind;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.config.ProjectConfig;
import java.time.Duration;

/**
 * Whether turbopuffer answers at {@code [turbopuffer] base_url} and accepts the API key, with the cheapest
 * authenticated call there is: list one namespace.
 */
final class TurbopufferCheck {

    /** Doctor reports quickly: one retry of a transient failure, then the finding. */
    static final ErrorPolicy POLICY = new ErrorPolicy(2, ErrorPolicy.DEFAULT_BASE_DELAY, ErrorPolicy.DEFAULT_MAX_DELAY);

    /** Long enough for a cold region endpoint, short enough for an interactive check. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final String NAME = "turbopuffer";

    private TurbopufferCheck() {}

    static Check run(ProjectConfig.Turbopuffer tp) {
        String url = tp.baseUrl();
        String env = tp.apiKeyEnv();
        try (TurbopufferClient client = new TurbopufferClient(url, tp.apiKey(), POLICY, TIMEOUT)) {
            client.namespaces(null, null, 1);
            return Check.ok(
                    NAME,
                    url + " answered"
                            + (tp.apiKey().isPresent()
                                    ? "; the API key in " + env + " was accepted"
                                    : " without an API key"));
        } catch (TurbopufferException e) {
            if (e.kind() == ErrorKind.AUTH) {
                String what = tp.apiKey().isPresent()
                        ? "rejected the API key in " + env
                        : "needs an API key, and " + env + " is not set";
                return Check.fail(
                        NAME,
                        url + " " + what + " (" + e.status() + ": " + e.serverMessage() + ")",
                        "export " + env + "=<your turbopuffer API key> (the variable named by [turbopuffer]"
                                + " api_key_env)");
            }
            if (e.status() == 0) {
                return Check.fail(
                        NAME,
                        "cannot reach " + url + ": " + e.serverMessage(),
                        "check [turbopuffer] base_url in puffgres.toml (a region URL such as"
                                + " https://gcp-us-central1.turbopuffer.com, or a running puffgres emulator)");
            }
            return Check.fail(
                    NAME,
                    url + " answered " + e.status() + ": " + e.serverMessage(),
                    "check [turbopuffer] base_url in puffgres.toml; it must be turbopuffer's API");
        }
    }
}
