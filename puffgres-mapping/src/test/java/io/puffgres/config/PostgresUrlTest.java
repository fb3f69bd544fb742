package io.puffgres.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PostgresUrlTest {

    private static final String SOURCE = "PUFFGRES_POSTGRES_URL";

    private static PostgresUrl.Parsed parse(String text) {
        return PostgresUrl.parse(text, SOURCE);
    }

    @Test
    void readsTheLibpqFormOfDatabaseUrlWithUserPasswordPortAndParameters() {
        PostgresUrl.Parsed p =
                parse("postgresql://app:secret@db.example:6543/shop?sslmode=verify-full&sslrootcert=/etc/ca.pem");
        assertThat(p.url())
                .isEqualTo(new PostgresUrl(
                        "db.example", 6543, "shop", Map.of("sslmode", "verify-full", "sslrootcert", "/etc/ca.pem")));
        assertThat(p.user()).contains("app");
        assertThat(p.password()).map(Secret::reveal).contains("secret");
        assertThat(p.password().orElseThrow()).hasToString("Secret[PUFFGRES_POSTGRES_URL]");
    }

    @Test
    void readsThePostgresSchemeAndDefaultsThePortTo5432() {
        PostgresUrl.Parsed p = parse("postgres://db.example/shop");
        assertThat(p.url()).isEqualTo(new PostgresUrl("db.example", 5432, "shop", Map.of()));
        assertThat(p.user()).isEmpty();
        assertThat(p.password()).isEmpty();
    }

    @Test
    void readsTheJdbcFormWithUserAndPasswordAsParameters() {
        PostgresUrl.Parsed p = parse(
                "jdbc:postgresql://127.0.0.1:5433/app?user=puffgres&password=pw&sslmode=require&connectTimeout=5");
        assertThat(p.url())
                .isEqualTo(
                        new PostgresUrl("127.0.0.1", 5433, "app", Map.of("sslmode", "require", "connectTimeout", "5")));
        assertThat(p.user()).contains("puffgres");
        assertThat(p.password()).map(Secret::reveal).contains("pw");
    }

    @Test
    void keepsAnIpv6HostInBracketsWithOrWithoutPort() {
        assertThat(parse("postgresql://[::1]:6000/app").url())
                .isEqualTo(new PostgresUrl("[::1]", 6000, "app", Map.of()));
        assertThat(parse("jdbc:postgresql://[2001:db8::7]/app").url())
                .isEqualTo(new PostgresUrl("[2001:db8::7]", 5432, "app", Map.of()));
        assertThat(parse("jdbc:postgresql://[::1]:6000/app").url().jdbcUrl())
                .isEqualTo("jdbc:postgresql://[::1]:6000/app");
    }

    @Test
    void percentDecodesUserPasswordDatabaseAndParameterValues() {
        PostgresUrl.Parsed p = parse(
                "postgresql://us%40er:p%2Fa%3Fs%40s%25@host/my%20db?options=-c%20search_path%3Dapp&sslrootcert=a+b");
        assertThat(p.user()).contains("us@er");
        assertThat(p.password()).map(Secret::reveal).contains("p/a?s@s%");
        assertThat(p.url().database()).isEqualTo("my db");
        // + is a plus, as in libpq
        assertThat(p.url().parameters())
                .containsEntry("options", "-c search_path=app")
                .containsEntry("sslrootcert", "a+b");
        // and the JDBC URL encodes the database so pgjdbc decodes it back
        assertThat(p.url().jdbcUrl()).isEqualTo("jdbc:postgresql://host:5432/my+db");
    }

    @Test
    void acceptsAPasswordHoldingQuestionMarkAndAtUnencoded() {
        PostgresUrl.Parsed p = parse("postgresql://app:p?w@d@host/db");
        assertThat(p.password()).map(Secret::reveal).contains("p?w@d");
        assertThat(p.url()).isEqualTo(new PostgresUrl("host", 5432, "db", Map.of()));
    }

    @Test
    void mapsLibpqConnectTimeoutToPgjdbc() {
        assertThat(parse("postgresql://h/db?connect_timeout=7").url().parameters())
                .isEqualTo(Map.of("connectTimeout", "7"));
    }

    @Test
    void rebuildsTheUrlWithItsParametersAndNeverAPassword() {
        PostgresUrl url = parse("postgresql://app:hunter2@h:1/db?sslmode=verify-full&sslrootcert=/c a.pem")
                .url();
        assertThat(url.jdbcUrlWithParameters())
                .isEqualTo("jdbc:postgresql://h:1/db?sslmode=verify-full&sslrootcert=%2Fc+a.pem");
        assertThat(url.toString()).doesNotContain("hunter2").doesNotContain("app");
    }

    @Test
    void sameUserTwiceIsFineDifferentUsersAreAnError() {
        assertThat(parse("postgresql://app@h/db?user=app").user()).contains("app");
        assertThatThrownBy(() -> parse("postgresql://app@h/db?user=other"))
                .hasMessage("names two users: \"app\" before the host and \"other\" in ?user=");
    }

    @Test
    void refusesWhatPgjdbcCannotDoOrWouldIgnore() {
        assertThat(error("mysql://h/db")).isEqualTo("must start with jdbc:postgresql://, postgresql:// or postgres://");
        assertThat(error("jdbc:postgresql:app"))
                .isEqualTo("names no host: write jdbc:postgresql://HOST[:PORT]/DATABASE");
        assertThat(error("postgresql:///db")).startsWith("names no host");
        assertThat(error("postgresql://h")).isEqualTo("names no database: add /DATABASE after the host");
        assertThat(error("postgresql://h/")).isEqualTo("names no database: add /DATABASE after the host");
        assertThat(error("postgresql://h:99999/db")).isEqualTo("the port is not a number from 1 to 65535");
        assertThat(error("postgresql://[::1/db")).isEqualTo("the IPv6 host lacks its closing ]");
        assertThat(error("jdbc:postgresql://a:5432,b:5433/db"))
                .isEqualTo("lists 2 hosts; puffgres streams the WAL of one server: give the primary's host only");
        assertThat(error("jdbc:postgresql://app@h/db")).startsWith("a JDBC URL takes the user as ?user=NAME");
        assertThat(error("postgresql://h/db?sslmode=require&sslmode=disable"))
                .isEqualTo("sets parameter sslmode twice");
        assertThat(error("postgresql://h/db?%zz=1")).startsWith("bad percent-encoding in a parameter name");
    }

    @Test
    void refusesUnknownParametersNamingTheNearestOne() {
        assertThat(error("postgresql://h/db?sslmdoe=require"))
                .isEqualTo("unknown parameter sslmdoe (pgjdbc would ignore it); did you mean sslmode?");
        assertThat(error("postgresql://h/db?xyzzy_plugh_frobnicate=1"))
                .startsWith("unknown parameter xyzzy_plugh_frobnicate (pgjdbc would ignore it); see https://");
    }

    @Test
    void refusesParametersThatCouldNotReachEveryConnection() {
        assertThat(error("postgresql://h/db?application_name=x"))
                .startsWith("parameter application_name: puffgres names");
        assertThat(error("jdbc:postgresql://h/db?ApplicationName=x")).startsWith("parameter ApplicationName:");
        assertThat(error("jdbc:postgresql://h/db?replication=database"))
                .isEqualTo(
                        "parameter replication: puffgres sets it per connection (the WAL stream needs its own value)");
        assertThat(error("postgresql://h/db?sslpassword=x")).startsWith("parameter sslpassword: not supported");
        assertThat(error("postgresql://h/db?host=/var/run/postgresql")).startsWith("parameter host: give the host");
    }

    @Test
    void neverShowsThePasswordInAnError() {
        // an unencoded / in the password: its start lands where the port goes, the rest after the host
        for (String text : new String[] {
            "postgresql://app:hunter2/x@h/db",
            "postgresql://app:123/hunter2@h/db",
            "postgresql://app:hunter2%zz@h/db",
            "postgresql://app:hunter2@h:nope/db"
        }) {
            assertThat(error(text)).doesNotContain("hunter2").doesNotContain("123");
        }
    }

    @Test
    void emptyUserBeforeTheHostMeansNone() {
        assertThat(parse("postgresql://:pw@h/db").user()).isEqualTo(Optional.empty());
    }

    private static String error(String text) {
        try {
            parse(text);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("parsed: " + text);
    }
}
