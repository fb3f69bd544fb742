package io.puffgres.document;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DocIdsTest {

    @Test
    void convertsEachIdType() {
        assertThat(DocIds.from(IdType.UINT, "id", 42L)).isEqualTo(new DocIds.Result.Ok(new DocId.Uint(42)));
        assertThat(DocIds.from(IdType.INT, "id", 0L)).isEqualTo(new DocIds.Result.Ok(new DocId.Uint(0)));
        assertThat(DocIds.from(IdType.UINT, "id", new BigDecimal("7.00")))
                .isEqualTo(new DocIds.Result.Ok(new DocId.Uint(7)));
        UUID u = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(DocIds.from(IdType.UUID, "id", u)).isEqualTo(new DocIds.Result.Ok(new DocId.Uuid(u)));
        assertThat(DocIds.from(IdType.UUID, "id", u.toString())).isEqualTo(new DocIds.Result.Ok(new DocId.Uuid(u)));
        assertThat(DocIds.from(IdType.STRING, "slug", "hello")).isEqualTo(new DocIds.Result.Ok(new DocId.Str("hello")));
        assertThat(DocIds.from(IdType.STRING, "n", 12L)).isEqualTo(new DocIds.Result.Ok(new DocId.Str("12")));
    }

    @Test
    void rejectsNegativeIntIdsPerRow() {
        assertThat(DocIds.from(IdType.INT, "account_id", -5L))
                .isEqualTo(new DocIds.Result.Invalid(
                        "id column \"account_id\" of type int must be >= 0 for a turbopuffer id (got -5)"));
    }

    @Test
    void acceptsSixtyFourByteStringsAndRejectsLongerOnesCountingUtf8Bytes() {
        String ascii64 = "a".repeat(64);
        assertThat(DocIds.from(IdType.STRING, "k", ascii64)).isInstanceOf(DocIds.Result.Ok.class);
        String multibyte = "é".repeat(33); // 66 bytes in 33 characters
        assertThat(DocIds.from(IdType.STRING, "k", multibyte))
                .isInstanceOfSatisfying(
                        DocIds.Result.Invalid.class,
                        i -> assertThat(i.message())
                                .startsWith(
                                        "id column \"k\" (id type string) is 66 bytes; turbopuffer string ids are at most 64"
                                                + " bytes"));
    }

    @Test
    void rejectsNullAndMistypedIds() {
        assertThat(DocIds.from(IdType.UINT, "id", null))
                .isEqualTo(new DocIds.Result.Invalid("id column \"id\" (id type uint) is NULL"));
        assertThat(DocIds.from(IdType.UINT, "id", "42"))
                .isEqualTo(
                        new DocIds.Result.Invalid("id column \"id\" (id type uint) must be an integer (got \"42\")"));
        assertThat(DocIds.from(IdType.UUID, "id", "nope"))
                .isEqualTo(new DocIds.Result.Invalid("id column \"id\" (id type uuid) is not a UUID (got \"nope\")"));
        assertThat(DocIds.from(IdType.STRING, "id", ""))
                .isEqualTo(new DocIds.Result.Invalid("id column \"id\" (id type string) is empty"));
    }

    @Test
    void checksAttributeNamesAgainstTurbopufferLimits() {
        assertThat(AttributeNames.problem("title")).isEmpty();
        assertThat(AttributeNames.problem("x".repeat(128))).isEmpty();
        assertThat(AttributeNames.problem("x".repeat(129)))
                .contains("attribute name \"xxxxxxxxxxxxxxxxxxxx...\" is 129 bytes; turbopuffer allows at most 128");
        assertThat(AttributeNames.problem("$dist"))
                .contains("attribute name \"$dist\" starts with '$', which turbopuffer reserves");
        assertThat(AttributeNames.problem("id")).contains("attribute name \"id\" is reserved for the document id");
        assertThat(AttributeNames.problem("")).contains("attribute names must not be empty");
    }
}
