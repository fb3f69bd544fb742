package io.puffgres.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.testkit.PostgresDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile literals and identifiers stay data in the rendered WHERE, whatever standard_conforming_strings is. */
class PredicateInjectionIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    private static final List<String> HOSTILE =
            List.of("'); DROP TABLE t; --", "\\' OR 1=1 --", "back\\slash", "\\\\'", "quote''s", "x' OR 'a'='a");

    @BeforeAll
    static void createTable() {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text, \"we\"\"ird\" text)");
        for (int i = 0; i < HOSTILE.size(); i++) {
            db.execute("INSERT INTO t VALUES (" + i + ", $q$" + HOSTILE.get(i) + "$q$, 'w')");
        }
    }

    @ParameterizedTest(name = "standard_conforming_strings={0}")
    @ValueSource(strings = {"on", "off"})
    void hostileLiteralsMatchExactlyTheirOwnRow(String setting) throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            s.execute("SET standard_conforming_strings = " + setting);
            s.execute("SET escape_string_warning = off");
            for (int i = 0; i < HOSTILE.size(); i++) {
                String literal = "'" + HOSTILE.get(i).replace("'", "''") + "'";
                Predicate p = PredicateParser.parse("v = " + literal + " AND \"we\"\"ird\" = 'w'");
                List<Integer> ids = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT id FROM t WHERE " + p.toSql() + " ORDER BY id")) {
                    while (rs.next()) {
                        ids.add(rs.getInt(1));
                    }
                }
                assertThat(ids)
                        .as("%s rendered as %s", HOSTILE.get(i), p.toSql())
                        .containsExactly(i);
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(HOSTILE.size());
            }
        }
    }
}
