package dev.tierscope.core.span;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The value rules every reader of a span applies. */
class SpanLimitsTest {

  @Test
  void cleanReturnsTheSameStringWhenNothingChanges() {
    String s = "rag-pipeline \uD83D\uDE80 v2";

    assertThat(SpanLimits.clean(s, 64)).isSameAs(s);
    assertThat(SpanLimits.isUnsafe(s)).isFalse();
    assertThat(SpanLimits.clean(null, 64)).isEmpty();
  }

  @Test
  void cleanReplacesThenCutsWithoutSplittingAPair() {
    assertThat(SpanLimits.clean("\u0000\u001f\u007f\u0085ok", 64))
        .isEqualTo("\uFFFD".repeat(4) + "ok");
    assertThat(SpanLimits.clean("a\uD83D", 64)).isEqualTo("a\uFFFD");
    assertThat(SpanLimits.clean("\uDE80a", 64)).isEqualTo("\uFFFDa");
    assertThat(SpanLimits.clean("\u0000" + "x".repeat(10) + "\uD83D\uDE80", 11))
        .isEqualTo("\uFFFD" + "x".repeat(10));
    assertThat(SpanLimits.clean("x".repeat(100) + "\u0000", 10)).isEqualTo("x".repeat(10));
  }

  @Test
  void cleanedStringsAreAlwaysValidUtf16WithinTheLimit() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      for (int n = random.nextInt(40); n > 0; n--) {
        b.append((char) (random.nextBoolean() ? random.nextInt(0x100) : random.nextInt(0x10000)));
      }
      int max = 1 + random.nextInt(32);
      String cleaned = SpanLimits.clean(b.toString(), max);

      assertThat(cleaned.length()).isLessThanOrEqualTo(max);
      assertThat(SpanLimits.isUnsafe(cleaned)).as("%s", b).isFalse();
      assertThat(SpanLimits.clean(cleaned, max)).isSameAs(cleaned);
    }
  }

  @Test
  void showsAtMostSixtyFourCleanChars() {
    assertThat(SpanLimits.shown("a\u0000" + "b".repeat(100)))
        .isEqualTo("a\uFFFD" + "b".repeat(62) + "...");
    assertThat(SpanLimits.shown(null)).isEmpty();
  }

  @Test
  void tenantsFollowTheApisPattern() {
    assertThat(SpanLimits.isValidTenant("default")).isTrue();
    assertThat(SpanLimits.isValidTenant("")).isFalse();
    assertThat(SpanLimits.isValidTenant(null)).isFalse();
    assertThat(SpanLimits.isValidTenant("x".repeat(129))).isFalse();
    assertThat(SpanLimits.isValidTenant(SpanLimits.OVERFLOW)).isFalse();
    assertThat(SpanLimits.tenantProblem(SpanLimits.OVERFLOW)).contains("reserved");
    assertThat(SpanLimits.tenantProblem("ok")).isEmpty();
    for (char c = 0; c < 0x3000; c++) {
      assertThat(SpanLimits.isValidTenant("a" + c))
          .as("char %04x", (int) c)
          .isEqualTo(String.valueOf(c).matches("[A-Za-z0-9_.:-]"));
    }
  }
}
