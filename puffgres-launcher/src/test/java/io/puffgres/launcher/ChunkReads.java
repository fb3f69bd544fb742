package io.puffgres.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chunk queries fills sent for one relation, as Postgres logged them: counted from the server's log (a test turns
 * on {@code log_statement = 'all'} for its own database), not from puffgres's own figures. A chunk query is the
 * {@code SELECT … FROM relation WHERE range … ORDER BY key} of {@code ChunkReader}; planning's keyset reads end in
 * {@code LIMIT 1} and are left out, and so are the fetches of an open cursor.
 */
final class ChunkReads {

    /**
     * One chunk query.
     *
     * @param pid the backend that ran it: one connection per fill reader subtask
     * @param lower the range's lower bound as the query bound it ({@code '1001'::int8}); empty from the start
     * @param upper the range's upper bound; empty to the end
     */
    record Read(long pid, Optional<String> lower, Optional<String> upper) {}

    private static final Pattern LINE = Pattern.compile("^\\S+ \\S+ \\S+ \\[(\\d+)\\] (LOG|DETAIL):  (.*)$");
    private static final Pattern EXECUTE = Pattern.compile("^execute ([^:]*): (SELECT .*)$");
    private static final Pattern PARAMETER = Pattern.compile("\\$(\\d+) = ('(?:[^']|'')*'|NULL)");

    private ChunkReads() {}

    /** Where the log ends now, to read {@link #between} two such offsets. */
    static long end(Path log) throws IOException {
        return Files.size(log);
    }

    /**
     * The chunk queries of {@code relation} (as quoted in SQL, {@code "public"."t"}) logged between the byte offsets
     * {@code from} and {@code to}, in the order logged.
     */
    static List<Read> between(Path log, long from, long to, String relation) throws IOException {
        byte[] all = Files.readAllBytes(log);
        int end = (int) Math.min(to, all.length);
        String text =
                new String(all, (int) Math.min(from, end), end - (int) Math.min(from, end), StandardCharsets.UTF_8);
        String marker = " FROM " + relation + " WHERE ";
        List<Read> reads = new ArrayList<>();
        Map<Long, String> awaitingParameters = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            long pid = Long.parseLong(m.group(1));
            String where = awaitingParameters.remove(pid);
            if (m.group(2).equals("DETAIL") && where != null && m.group(3).startsWith("parameters: ")) {
                reads.add(read(pid, bind(where, m.group(3))));
                continue;
            }
            if (where != null) {
                reads.add(read(pid, where)); // a query without parameters: the whole relation in one chunk
            }
            Matcher e = EXECUTE.matcher(m.group(3));
            if (m.group(2).equals("LOG") && e.matches() && !e.group(1).startsWith("fetch from")) {
                String sql = e.group(2);
                int at = sql.indexOf(marker);
                int order = sql.lastIndexOf(" ORDER BY ");
                if (at > 0 && order > at && !sql.contains(" LIMIT ")) {
                    awaitingParameters.put(pid, sql.substring(at + marker.length(), order));
                }
            }
        }
        awaitingParameters.forEach((pid, where) -> reads.add(read(pid, where)));
        return reads;
    }

    /** {@code where} with each {@code $n} replaced by its value from a {@code parameters: $1 = '…', …} line. */
    private static String bind(String where, String parameters) {
        Map<String, String> values = new HashMap<>();
        Matcher p = PARAMETER.matcher(parameters);
        while (p.find()) {
            values.put(p.group(1), p.group(2));
        }
        Matcher n = Pattern.compile("\\$(\\d+)").matcher(where);
        StringBuilder bound = new StringBuilder();
        while (n.find()) {
            n.appendReplacement(bound, Matcher.quoteReplacement(values.getOrDefault(n.group(1), n.group())));
        }
        n.appendTail(bound);
        return bound.toString();
    }

    /** The bounds of a range {@code key >= lower AND key < upper} (either may be missing). */
    private static Read read(long pid, String range) {
        Optional<String> lower = Optional.empty();
        Optional<String> upper = Optional.empty();
        for (String condition : range.split(" AND ")) {
            int ge = condition.indexOf(" >= ");
            int lt = condition.indexOf(" < ");
            if (ge > 0) {
                lower = Optional.of(condition.substring(ge + 4).strip());
            } else if (lt > 0) {
                upper = Optional.of(condition.substring(lt + 3).strip());
            }
        }
        return new Read(pid, lower, upper);
    }

    /**
     * Whether two connections read chunks at the same time: one's reads come before and after another's. A reader
     * subtask reads on one connection at a time (it opens a new one when its fetcher was idle), so this shows two
     * readers, where counting connections would not.
     */
    static boolean concurrentConnections(List<Read> reads) {
        Map<Long, Integer> last = new HashMap<>();
        for (int i = 0; i < reads.size(); i++) {
            Integer before = last.put(reads.get(i).pid(), i);
            if (before != null && before < i - 1) {
                return true; // the reads between are other connections'
            }
        }
        return false;
    }

    /**
     * Whether {@code reads} cover the whole key space without a gap: from the chunk without a lower bound, each
     * chunk's upper bound is the next one's lower bound, up to the chunk without an upper bound, through every
     * distinct chunk read.
     */
    static boolean tileTheKeySpace(List<Read> reads) {
        Map<Optional<String>, Optional<String>> next = new HashMap<>();
        for (Read r : reads) {
            Optional<String> before = next.put(r.lower(), r.upper());
            if (before != null && !before.equals(r.upper())) {
                return false; // two different chunks start at one bound
            }
        }
        Optional<String> at = Optional.empty();
        int walked = 0;
        while (walked <= next.size()) {
            Optional<String> upper = next.get(at);
            if (upper == null) {
                return false;
            }
            walked++;
            if (upper.isEmpty()) {
                return walked == next.size();
            }
            at = upper;
        }
        return false;
    }
}
