package io.bronzecdc.model.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the known key an unknown key was probably meant to be, for a "did you mean" hint: a key that differs by a
 * few typed characters ({@code source.hots}), by case ({@code Source.Host}), or by a missing prefix
 * ({@code slot.name} for {@code source.slot.name}).
 */
final class KeySuggester {
    /** Edits allowed between an unknown key and its suggestion; more than this is a different key, not a typo. */
    private static final int MAX_EDITS = 3;

    private KeySuggester() {
    }

    static Optional<String> closest(String unknown, Collection<String> known) {
        String typed = unknown.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(typed, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        if (best != null && bestDistance <= Math.min(MAX_EDITS, best.length() / 3)) {
            return Optional.of(best);
        }
        return known.stream().filter(candidate -> candidate.endsWith("." + typed)).findFirst();
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
