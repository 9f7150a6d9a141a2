package io.bronzecdc.model.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link TableId#display} leaves exactly the names of {@code [a-z_][a-z0-9_$]*} bare and quotes every other. */
class TableIdDisplayTest {
    private static final Pattern BARE = Pattern.compile("[a-z_][a-z0-9_$]*");

    @Test
    void bareExactlyWhenThePatternMatches() {
        assertThat(TableId.display("orders")).isEqualTo("orders");
        assertThat(TableId.display("_x1$")).isEqualTo("_x1$");
        assertThat(TableId.display("$x")).isEqualTo("\"$x\"");
        assertThat(TableId.display("1x")).isEqualTo("\"1x\"");
        assertThat(TableId.display("Order")).isEqualTo("\"Order\"");
        assertThat(TableId.display("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(TableId.display("straße")).isEqualTo("\"straße\"");
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("TableIdDisplayTest seed " + seed);
        Random random = new Random(seed);
        String alphabet = "az_09$A.\" ß";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder name = new StringBuilder();
            for (int n = 1 + random.nextInt(6); n > 0; n--) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = name.toString();
            boolean bare = TableId.display(text).equals(text);
            assertThat(bare).as("seed %d: %s", seed, text).isEqualTo(BARE.matcher(text).matches());
        }
    }
}
