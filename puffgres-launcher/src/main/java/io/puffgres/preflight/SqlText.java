package io.puffgres.preflight;

import io.puffgres.event.PgIdentifiers;
import io.puffgres.event.RelationId;
import java.util.Locale;

/** SQL text for the fixes doctor prints: quoted identifiers and literals, and byte sizes for people. */
final class SqlText {

    private SqlText() {}

    static String ident(String name) {
        return PgIdentifiers.quote(name);
    }

    static String relation(RelationId r) {
        return ident(r.schema()) + "." + ident(r.name());
    }

    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** {@code 512 B}, {@code 1.5 MiB}, {@code 3.2 GiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
