package io.puffgres.emulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BM25 scoring over one attribute, as the emulator's stand-in for turbopuffer's full-text search: lower-case word
 * tokens (letters and digits), no stemming or stop words, k1 = 1.2, b = 0.75.
 */
final class Bm25 {

    static final double K1 = 1.2;
    static final double B = 0.75;

    private Bm25() {}

    static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        for (String t : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!t.isEmpty()) {
                tokens.add(t);
            }
        }
        return tokens;
    }

    /** Scores of each document text (index-aligned; null text scores 0) for {@code query}. */
    static double[] score(List<String> texts, String query) {
        List<List<String>> docs = new ArrayList<>(texts.size());
        double totalLength = 0;
        for (String t : texts) {
            List<String> tokens = t == null ? List.of() : tokenize(t);
            docs.add(tokens);
            totalLength += tokens.size();
        }
        double avg = docs.isEmpty() ? 0 : totalLength / docs.size();
        List<String> terms = tokenize(query);
        Map<String, Integer> docFreq = new HashMap<>();
        for (List<String> d : docs) {
            for (String term : terms.stream().distinct().toList()) {
                if (d.contains(term)) {
                    docFreq.merge(term, 1, Integer::sum);
                }
            }
        }
        double[] scores = new double[docs.size()];
        int n = docs.size();
        for (int i = 0; i < n; i++) {
            List<String> d = docs.get(i);
            double score = 0;
            for (String term : terms) {
                int df = docFreq.getOrDefault(term, 0);
                long tf = d.stream().filter(term::equals).count();
                if (tf == 0) {
                    continue;
                }
                double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * d.size() / Math.max(avg, 1e-9)));
            }
            scores[i] = score;
        }
        return scores;
    }
}
