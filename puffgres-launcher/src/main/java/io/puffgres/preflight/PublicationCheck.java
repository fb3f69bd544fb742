package io.puffgres.preflight;

import io.puffgres.event.RelationId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The publication {@code puffgres run} creates, or sets to exactly the mapped tables ({@code ALTER PUBLICATION … SET
 * TABLE}): whether it can, and whether the publication publishes every kind of change.
 */
final class PublicationCheck {

    private static final String NAME = "publication";
    private static final List<String> OPERATIONS = List.of("insert", "update", "delete", "truncate");

    private PublicationCheck() {}

    static Check run(Connection c, String publication, List<RelationId> tables, String role) throws SQLException {
        if (tables.isEmpty()) {
            return Check.skip(NAME, "could not check: no mapped table was found (above)");
        }
        String quoted = SqlText.ident(publication);
        String list = tables.stream().map(RelationId::toString).collect(Collectors.joining(", "));
        Map<RelationId, String> notOwned = notOwned(c, tables);
        try (PreparedStatement ps = c.prepareStatement("SELECT p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete,"
                + " p.pubtruncate, pg_has_role(current_user, p.pubowner, 'MEMBER'), pg_get_userbyid(p.pubowner),"
                + " has_database_privilege(current_database(), 'CREATE'), current_database()"
                + " FROM (SELECT NULL) dummy LEFT JOIN pg_publication p ON p.pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean exists = rs.getObject(1) != null;
                if (!notOwned.isEmpty()) {
                    return ownership(role, notOwned);
                }
                if (!exists) {
                    if (!rs.getBoolean(8)) {
                        return Check.fail(
                                NAME,
                                quoted + " does not exist, and " + SqlText.ident(role)
                                        + " cannot create it (no CREATE on database " + rs.getString(9) + ")",
                                "GRANT CREATE ON DATABASE " + SqlText.ident(rs.getString(9)) + " TO "
                                        + SqlText.ident(role) + ";");
                    }
                    return Check.ok(NAME, quoted + " does not exist yet; puffgres run creates it for " + list);
                }
                if (rs.getBoolean(1)) {
                    return Check.fail(
                            NAME,
                            quoted + " is FOR ALL TABLES; puffgres run sets its tables, which Postgres refuses for"
                                    + " such a publication",
                            "DROP PUBLICATION " + quoted + "; (puffgres run creates it for exactly the mapped tables),"
                                    + " or set [postgres] publication in puffgres.toml to another name");
                }
                if (!rs.getBoolean(6)) {
                    return Check.fail(
                            NAME,
                            quoted + " is owned by " + SqlText.ident(rs.getString(7))
                                    + "; puffgres run alters it, which only its owner can",
                            "ALTER PUBLICATION " + quoted + " OWNER TO " + SqlText.ident(role) + ";");
                }
                List<String> missingOps = new ArrayList<>();
                for (int i = 0; i < OPERATIONS.size(); i++) {
                    if (!rs.getBoolean(2 + i)) {
                        missingOps.add(OPERATIONS.get(i));
                    }
                }
                if (!missingOps.isEmpty()) {
                    return Check.fail(
                            NAME,
                            quoted + " does not publish " + String.join(", ", missingOps)
                                    + ", so those changes would never reach turbopuffer",
                            "ALTER PUBLICATION " + quoted + " SET (publish = '" + String.join(", ", OPERATIONS)
                                    + "');");
                }
            }
        }
        Set<RelationId> published = published(c, publication);
        if (published.equals(new LinkedHashSet<>(tables))) {
            return Check.ok(NAME, quoted + " covers exactly " + list);
        }
        String now = published.isEmpty()
                ? "no table"
                : published.stream().map(RelationId::toString).collect(Collectors.joining(", "));
        return Check.ok(NAME, quoted + " covers " + now + "; puffgres run sets it to exactly " + list);
    }

    private static Check ownership(String role, Map<RelationId, String> notOwned) {
        Set<String> owners = new LinkedHashSet<>(notOwned.values());
        String tables = notOwned.entrySet().stream()
                .map(e -> e.getKey() + " (owner " + SqlText.ident(e.getValue()) + ")")
                .collect(Collectors.joining(", "));
        return Check.fail(
                NAME,
                SqlText.ident(role) + " does not own " + tables
                        + "; puffgres run creates or alters the publication, which needs ownership of its tables",
                "connect as " + (owners.size() == 1 ? "the owner" : "a superuser") + ": [postgres] user = \""
                        + (owners.size() == 1 ? owners.iterator().next() : "postgres") + "\" in puffgres.toml");
    }

    private static Map<RelationId, String> notOwned(Connection c, List<RelationId> tables) throws SQLException {
        Map<RelationId, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_has_role(current_user, c.relowner, 'MEMBER'),"
                + " pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = to_regclass(?)")) {
            for (RelationId t : tables) {
                ps.setString(1, SqlText.relation(t));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && !rs.getBoolean(1)) {
                        out.put(t, rs.getString(2));
                    }
                }
            }
        }
        return out;
    }

    private static Set<RelationId> published(Connection c, String publication) throws SQLException {
        Set<RelationId> out = new LinkedHashSet<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RelationId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }
}
