package io.puffgres.membership;

/** A literal of the membership DSL, typed as PostgreSQL types an untyped SQL literal. */
public sealed interface Literal {

    /** The literal as safe SQL text. */
    String toSql();

    /** {@code 'text'}: SQL type "unknown" until coerced to the column's type. */
    record Str(String value) implements Literal {
        @Override
        public String toSql() {
            String quoted = value.replace("'", "''");
            if (value.indexOf('\\') < 0) {
                return "'" + quoted + "'";
            }
            // an E'' literal means the same whatever standard_conforming_strings is set to
            return "E'" + quoted.replace("\\", "\\\\") + "'";
        }
    }

    /** An integer: int4, int8 or numeric depending on its size, like PostgreSQL. */
    record Int(String text) implements Literal {
        @Override
        public String toSql() {
            return text.startsWith("-") ? "(" + text + ")" : text;
        }
    }

    /** A decimal or exponent literal: numeric. */
    record Dec(String text) implements Literal {
        @Override
        public String toSql() {
            return text.startsWith("-") ? "(" + text + ")" : text;
        }
    }

    record Bool(boolean value) implements Literal {
        @Override
        public String toSql() {
            return value ? "TRUE" : "FALSE";
        }
    }

    record Null() implements Literal {
        @Override
        public String toSql() {
            return "NULL";
        }
    }
}
