package io.puffgres.document;

import java.util.Objects;

/** A turbopuffer document id: an unsigned 64-bit integer, a UUID, or a string of at most 64 bytes. */
public sealed interface DocId {

    /** The value as turbopuffer's JSON carries it: a number, or a string for UUID and string ids. */
    Object json();

    /** Unsigned 64-bit id; {@code value} is read as unsigned. */
    record Uint(long value) implements DocId {
        @Override
        public Object json() {
            return value >= 0 ? (Object) value : new java.math.BigInteger(Long.toUnsignedString(value));
        }

        @Override
        public String toString() {
            return Long.toUnsignedString(value);
        }
    }

    record Uuid(java.util.UUID value) implements DocId {
        public Uuid {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public Object json() {
            return value.toString();
        }

        @Override
        public String toString() {
            return value.toString();
        }
    }

    record Str(String value) implements DocId {
        public Str {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public Object json() {
            return value;
        }

        @Override
        public String toString() {
            return value;
        }
    }
}
