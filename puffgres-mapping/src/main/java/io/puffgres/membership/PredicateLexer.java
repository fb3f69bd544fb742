package io.puffgres.membership;

import io.puffgres.membership.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Splits predicate text into tokens, tracking line and column. SQL lexical rules for the DSL subset. */
final class PredicateLexer {

    private static final Map<String, Kind> KEYWORDS = Map.of(
            "and", Kind.AND,
            "or", Kind.OR,
            "not", Kind.NOT,
            "is", Kind.IS,
            "null", Kind.NULL,
            "true", Kind.TRUE,
            "false", Kind.FALSE);

    private final String text;
    private int pos;
    private int line = 1;
    private int lineStart;

    private PredicateLexer(String text) {
        this.text = text;
    }

    static List<Token> tokenize(String text) throws PredicateSyntaxException {
        return new PredicateLexer(text).run();
    }

    private List<Token> run() throws PredicateSyntaxException {
        List<Token> tokens = new ArrayList<>();
        while (true) {
            skipSpaceAndComments();
            int col = pos - lineStart + 1;
            if (pos >= text.length()) {
                tokens.add(new Token(Kind.EOF, "", line, col));
                return tokens;
            }
            char c = text.charAt(pos);
            if (c == '\'') {
                tokens.add(new Token(Kind.STRING, quoted('\'', "string literal", col), line, col));
            } else if (c == '"') {
                String name = quoted('"', "quoted identifier", col);
                if (name.isEmpty()) {
                    throw new PredicateSyntaxException(line, col, "a quoted identifier must not be empty");
                }
                tokens.add(new Token(Kind.QUOTED_IDENT, name, line, col));
            } else if (Character.isDigit(c) || (c == '.' && pos + 1 < text.length() && isDigit(pos + 1))) {
                tokens.add(number(col));
            } else if (c == '-' && pos + 1 < text.length() && (isDigit(pos + 1) || text.charAt(pos + 1) == '.')) {
                pos++;
                Token n = number(col);
                tokens.add(new Token(n.kind(), "-" + n.text(), line, col));
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < text.length()
                        && (Character.isLetterOrDigit(text.charAt(pos))
                                || text.charAt(pos) == '_'
                                || text.charAt(pos) == '$')) {
                    pos++;
                }
                String word = text.substring(start, pos);
                String folded = word.toLowerCase(Locale.ROOT);
                Kind kw = KEYWORDS.get(folded);
                tokens.add(kw != null ? new Token(kw, word, line, col) : new Token(Kind.IDENT, folded, line, col));
            } else if (c == '=') {
                pos++;
                tokens.add(new Token(Kind.EQ, "=", line, col));
            } else if (text.startsWith("!=", pos) || text.startsWith("<>", pos)) {
                tokens.add(new Token(Kind.NOT_EQ, text.substring(pos, pos + 2), line, col));
                pos += 2;
            } else if (c == '(') {
                pos++;
                tokens.add(new Token(Kind.LPAREN, "(", line, col));
            } else if (c == ')') {
                pos++;
                tokens.add(new Token(Kind.RPAREN, ")", line, col));
            } else {
                String op = text.substring(pos, Math.min(pos + 2, text.length()));
                if (op.startsWith("<") || op.startsWith(">")) {
                    throw new PredicateSyntaxException(
                            line, col, "'" + op.trim() + "' is not supported; only =, != and <> compare");
                }
                throw new PredicateSyntaxException(line, col, "unexpected character '" + c + "'");
            }
        }
    }

    private boolean isDigit(int at) {
        return Character.isDigit(text.charAt(at));
    }

    private void skipSpaceAndComments() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                pos++;
                line++;
                lineStart = pos;
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else if (text.startsWith("--", pos)) {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private String quoted(char quote, String what, int col) throws PredicateSyntaxException {
        int startLine = line;
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length()) {
                throw new PredicateSyntaxException(startLine, col, "unterminated " + what);
            }
            char c = text.charAt(pos);
            if (c == quote) {
                if (pos + 1 < text.length() && text.charAt(pos + 1) == quote) {
                    sb.append(quote);
                    pos += 2;
                    continue;
                }
                pos++;
                return sb.toString();
            }
            if (c == '\n') {
                line++;
                lineStart = pos + 1;
            }
            sb.append(c);
            pos++;
        }
    }

    private Token number(int col) throws PredicateSyntaxException {
        int start = pos;
        boolean decimal = false;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos < text.length() && text.charAt(pos) == '.') {
            decimal = true;
            pos++;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                decimal = true;
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = save;
            }
        }
        if (pos < text.length() && (Character.isLetter(text.charAt(pos)) || text.charAt(pos) == '_')) {
            throw new PredicateSyntaxException(line, col, "malformed number '" + text.substring(start, pos + 1) + "'");
        }
        return new Token(decimal ? Kind.DECIMAL : Kind.INTEGER, text.substring(start, pos), line, col);
    }
}
