package io.puffgres.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PredicateParserTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            status = AND x = 1                  | 1:10: expected a literal after '=' but found 'AND'
            status =                            | 1:9: expected a literal after '=' but found the end of the predicate
            'a' = 'b'                           | 1:7: expected a column after '=' but found another literal 'b'
            a = b                               | 1:5: comparing two columns is not supported; compare a column with a literal
            a > 1                               | 1:3: '>' is not supported; only =, != and <> compare
            a <= 1                              | 1:3: '<=' is not supported; only =, != and <> compare
            (a = 1                              | 1:7: expected ')' to close '(' at 1:1 but found the end of the predicate
            a = 1)                              | 1:6: expected AND, OR or the end of the predicate but found ')'
            a = 1 b = 2                         | 1:7: expected AND, OR or the end of the predicate but found 'b'
            a IS 1                              | 1:6: expected NULL after 'IS' but found '1'
            a IS NOT TRUE                       | 1:10: expected NULL after 'IS NOT' but found 'TRUE'
            1 IS NULL                           | 1:1: IS NULL needs a column on its left but found '1'
            a = 'open                           | 1:5: unterminated string literal
            a = 1 AND                           | 1:10: expected a column or a literal but found the end of the predicate
            AND a = 1                           | 1:1: expected a column or a literal but found 'AND'
            a LIKE 'x%'                         | 1:3: expected '=', '!=', '<>' or IS after column 'a' but found 'like'
            a = 12abc                           | 1:5: malformed number '12a'
            a = 1; DROP TABLE t                 | 1:6: unexpected character ';'
            ""                                  | 1:1: a quoted identifier must not be empty
            """)
    void reportsPositionedMessages(String text, String message) {
        assertThatThrownBy(() -> PredicateParser.parse(text))
                .isInstanceOf(PredicateSyntaxException.class)
                .hasMessage(message);
    }

    @Test
    void reportsLineAndColumnOnLaterLines() {
        assertThatThrownBy(() -> PredicateParser.parse("status = 'published'\n  AND deleted_at = AND"))
                .isInstanceOfSatisfying(PredicateSyntaxException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(20);
                    assertThat(e).hasMessage("2:20: expected a literal after '=' but found 'AND'");
                });
    }

    @Test
    void rejectsEmptyPredicate() {
        assertThatThrownBy(() -> PredicateParser.parse("  -- only a comment\n"))
                .hasMessage("2:1: the predicate is empty");
    }

    @Test
    void foldsUnquotedIdentifiersAndKeepsQuotedOnes() throws Exception {
        Predicate p = PredicateParser.parse("Status = 'x' and \"OrgId\" IS not NULL Or NOT deleted_AT <> 1");
        assertThat(p.columns()).containsExactly("status", "OrgId", "deleted_at");
    }

    @Test
    void bindsNotTighterThanAndTighterThanOr() throws Exception {
        Predicate p = PredicateParser.parse("a = 1 OR NOT b = 2 AND c IS NULL");
        assertThat(p.toSql()).isEqualTo("((\"a\" = 1) OR ((NOT (\"b\" = 2)) AND (\"c\" IS NULL)))");
    }

    @Test
    void rendersLiteralsAndIdentifiersSafely() throws Exception {
        Predicate p = PredicateParser.parse(
                "title = '''); DROP TABLE pages; --' AND \"we\"\"ird\" != -5 AND 1.5e3 <> n AND ok = TRUE AND x = NULL");
        assertThat(p.toSql())
                .isEqualTo("(((((\"title\" = '''); DROP TABLE pages; --') AND (\"we\"\"ird\" <> (-5)))"
                        + " AND (1.5e3 <> \"n\")) AND (\"ok\" = TRUE)) AND (\"x\" = NULL))");
        assertThat(p.columns()).containsExactly("title", "we\"ird", "n", "ok", "x");
    }

    @Test
    void treatsDoubleDashAsCommentOutsideStrings() throws Exception {
        Predicate p = PredicateParser.parse("a = '--x' -- trailing comment\n AND b IS NULL");
        assertThat(p.toSql()).isEqualTo("((\"a\" = '--x') AND (\"b\" IS NULL))");
    }
}
