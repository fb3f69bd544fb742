package io.puffgres.config;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.postgresql.PGProperty;

/**
 * Where the source database is, as pgjdbc needs it: one server, a database and the driver parameters that every
 * connection puffgres opens must carry (TLS above all). Parsed from a JDBC URL
 * ({@code jdbc:postgresql://host:port/db?sslmode=verify-full}) or a libpq URL
 * ({@code postgresql://user:password@host:port/db?sslmode=verify-full}, as in {@code DATABASE_URL}). Holds no
 * secret, so it prints as it is. Immutable.
 *
 * @param host a host name, an IPv4 address, or an IPv6 address in brackets ({@code [::1]})
 * @param parameters pgjdbc connection properties by name ({@code sslmode}, {@code sslrootcert}, …), without user and
 *     password, in name order
 */
public record PostgresUrl(String host, int port, String database, Map<String, String> parameters) {

    /** The port libpq and pgjdbc use when a URL names none. */
    public static final int DEFAULT_PORT = 5432;

    private static final String JDBC_PREFIX = "jdbc:postgresql:";
    private static final List<String> LIBPQ_PREFIXES = List.of("postgresql:", "postgres:");

    /** libpq parameter names pgjdbc spells differently; the values mean the same. */
    private static final Map<String, String> LIBPQ_NAMES = Map.of("connect_timeout", "connectTimeout");

    /** Parameters a URL may not set, and why. */
    private static final Map<String, String> REFUSED = refused();

    public PostgresUrl {
        parameters = java.util.Collections.unmodifiableMap(new TreeMap<>(parameters));
    }

    /**
     * What a URL says: the server, database and parameters, and the user and password it names (in {@code user:pw@}
     * or as {@code ?user=…&password=…}).
     *
     * @param password named after where the URL came from, so it prints as {@code Secret[PUFFGRES_POSTGRES_URL]}
     */
    public record Parsed(PostgresUrl url, Optional<String> user, Optional<Secret> password) {}

    /**
     * Parses {@code text} in either form.
     *
     * @param source where the text came from ({@code PUFFGRES_POSTGRES_URL}, {@code puffgres.toml}), the name of the
     *     password's {@link Secret}
     * @throws IllegalArgumentException saying what is wrong; the message never holds the password
     */
    public static Parsed parse(String text, String source) {
        String rest;
        boolean libpq;
        if (text.startsWith(JDBC_PREFIX)) {
            rest = text.substring(JDBC_PREFIX.length());
            libpq = false;
        } else {
            String prefix = LIBPQ_PREFIXES.stream()
                    .filter(text::startsWith)
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "must start with jdbc:postgresql://, postgresql:// or postgres://"));
            rest = text.substring(prefix.length());
            libpq = true;
        }
        if (!rest.startsWith("//")) {
            throw new IllegalArgumentException(
                    "names no host: write " + (libpq ? "postgresql" : "jdbc:postgresql") + "://HOST[:PORT]/DATABASE");
        }
        rest = rest.substring(2);
        // as libpq does, the user and password end at the last @ before the first /; so a password may hold ? and @
        int slash = rest.indexOf('/');
        int userAt = (slash < 0 ? rest : rest.substring(0, slash)).lastIndexOf('@');
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (userAt >= 0) {
            if (!libpq) {
                throw new IllegalArgumentException(
                        "a JDBC URL takes the user as ?user=NAME, not NAME@ before the host (pgjdbc would read it as"
                                + " part of the host name)");
            }
            String userInfo = rest.substring(0, userAt);
            rest = rest.substring(userAt + 1);
            int colon = userInfo.indexOf(':');
            user = Optional.of(decode(colon < 0 ? userInfo : userInfo.substring(0, colon), "the user name"))
                    .filter(u -> !u.isEmpty());
            if (colon >= 0) {
                password = Optional.of(decode(userInfo.substring(colon + 1), "the password"));
            }
        }
        int queryAt = rest.indexOf('?');
        String query = queryAt < 0 ? "" : rest.substring(queryAt + 1);
        String authority = queryAt < 0 ? rest : rest.substring(0, queryAt);
        int pathAt = authority.indexOf('/');
        String path = pathAt < 0 ? "" : authority.substring(pathAt + 1);
        authority = pathAt < 0 ? authority : authority.substring(0, pathAt);
        if (libpq && path.contains("@")) {
            // most likely a password holding a /: what follows it must not be read as the database (nor shown)
            throw new IllegalArgumentException("has an @ after the host; write a / in the password as %2F and an @ in"
                    + " the database name as %40");
        }
        String database = decode(path, "the database name");
        if (authority.contains(",")) {
            throw new IllegalArgumentException("lists " + authority.split(",", -1).length + " hosts; puffgres streams"
                    + " the WAL of one server: give the primary's host only");
        }
        String[] hostPort = hostAndPort(authority);
        if (database.isEmpty()) {
            throw new IllegalArgumentException("names no database: add /DATABASE after the host");
        }

        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : query.isEmpty() ? new String[0] : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "a parameter name");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), "parameter " + name);
            name = libpq ? LIBPQ_NAMES.getOrDefault(name, name) : name;
            if (name.equals("user")) {
                if (user.isPresent() && !user.get().equals(value)) {
                    throw new IllegalArgumentException(
                            "names two users: \"" + user.get() + "\" before the host and \"" + value + "\" in ?user=");
                }
                user = Optional.of(value);
                continue;
            }
            if (name.equals("password")) {
                if (password.isPresent()) {
                    throw new IllegalArgumentException("gives the password twice (before the host and in ?password=)");
                }
                password = Optional.of(value);
                continue;
            }
            checkParameter(name);
            if (parameters.put(name, value) != null) {
                throw new IllegalArgumentException("sets parameter " + name + " twice");
            }
        }
        PostgresUrl url = new PostgresUrl(hostPort[0], Integer.parseInt(hostPort[1]), database, parameters);
        return new Parsed(url, user, password.map(p -> Secret.of(source, p)));
    }

    /**
     * The JDBC URL of the server and database, without parameters (pass {@link #parameters()} as connection
     * properties).
     */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
    }

    /** {@link #jdbcUrl()} with the parameters as its query, for a driver or pool that takes only a URL. */
    public String jdbcUrlWithParameters() {
        if (parameters.isEmpty()) {
            return jdbcUrl();
        }
        return jdbcUrl() + "?"
                + parameters.entrySet().stream()
                        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                        .collect(Collectors.joining("&"));
    }

    /** The URL in JDBC form with its parameters; it holds no password. */
    @Override
    public String toString() {
        return jdbcUrlWithParameters();
    }

    private static void checkParameter(String name) {
        String refusal = REFUSED.get(name);
        if (refusal != null) {
            throw new IllegalArgumentException("parameter " + name + ": " + refusal);
        }
        if (PGProperty.forName(name) == null) {
            List<String> known = Arrays.stream(PGProperty.values())
                    .map(PGProperty::getName)
                    .filter(n -> !REFUSED.containsKey(n))
                    .toList();
            throw new IllegalArgumentException("unknown parameter " + name + " (pgjdbc would ignore it)"
                    + Spelling.nearest(name, known)
                            .map(n -> "; did you mean " + n + "?")
                            .orElse("; see https://jdbc.postgresql.org/documentation/use/"));
        }
    }

    /** {host, port} of one {@code host[:port]} or {@code [v6]:port}. */
    private static String[] hostAndPort(String authority) {
        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("the IPv6 host lacks its closing ]");
            }
            host = authority.substring(0, close + 1);
            String after = authority.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw new IllegalArgumentException("the IPv6 host's ] must be followed by :PORT, /DATABASE or nothing");
            }
            port = after.isEmpty() ? "" : after.substring(1);
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? "" : authority.substring(colon + 1);
        }
        if (host.isEmpty() || host.equals("[]")) {
            throw new IllegalArgumentException("names no host: write the server's name or address after //");
        }
        if (port.isEmpty()) {
            return new String[] {host, Integer.toString(DEFAULT_PORT)};
        }
        if (!port.chars().allMatch(Character::isDigit)
                || port.length() > 5
                || Integer.parseInt(port) < 1
                || Integer.parseInt(port) > 65_535) {
            // not shown: when a password holds an unencoded /, its start lands here
            throw new IllegalArgumentException("the port is not a number from 1 to 65535");
        }
        return new String[] {host, port};
    }

    /** Percent-decodes {@code text} as UTF-8 ({@code +} stays {@code +}, as in libpq). */
    private static String decode(String text, String what) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int value = i + 2 < text.length() ? hex(text.charAt(i + 1), text.charAt(i + 2)) : -1;
            if (value < 0) {
                // the text may be a password: name the part, never show it
                throw new IllegalArgumentException(
                        "bad percent-encoding in " + what + " (% must be followed by two hex digits)");
            }
            bytes.write(value);
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char high, char low) {
        int h = Character.digit(high, 16);
        int l = Character.digit(low, 16);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }

    private static Map<String, String> refused() {
        String named = "puffgres names its connections itself (puffgres; Debezium's names on the WAL stream), so a"
                + " name here would not reach every connection";
        String perConnection = "puffgres sets it per connection (the WAL stream needs its own value)";
        String inUrl = "give the host, port and database in the URL itself: //HOST:PORT/DATABASE";
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ApplicationName", named);
        m.put("application_name", named);
        m.put("replication", perConnection);
        m.put("preferQueryMode", perConnection);
        m.put("assumeMinServerVersion", perConnection);
        m.put(
                "sslpassword",
                "not supported: puffgres would have to keep the key's passphrase; give sslkey a key without one,"
                        + " readable only by the user running puffgres");
        for (String name : List.of("host", "port", "dbname", "PGHOST", "PGPORT", "PGDBNAME")) {
            m.put(name, inUrl);
        }
        return Map.copyOf(m);
    }
}
