package dev.tierscope.core.span;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Spans are judged against a reference clock on both sides. */
class SpanTimeBoundsTest {

  static final long NOW_MILLIS = 1_764_000_000_000L;
  static final long NOW = NOW_MILLIS * 1_000_000;
  static final long SECOND = 1_000_000_000L;

  final SpanTimeBounds bounds = new SpanTimeBounds(Duration.ofMinutes(5), Duration.ofDays(2));

  @Test
  void acceptsSpansUpToTheSkewAheadAndTheAgeBehind() {
    assertThat(bounds.check(NOW - SECOND, NOW + 300 * SECOND, NOW_MILLIS)).isNull();
    assertThat(bounds.check(NOW - 172_800 * SECOND, NOW, NOW_MILLIS)).isNull();
    // The accuracy runs send spans 20 h in the past.
    assertThat(bounds.check(NOW - 72_000 * SECOND, NOW - 71_999 * SECOND, NOW_MILLIS)).isNull();
    assertThat(bounds.problem(NOW, NOW, NOW_MILLIS)).isEmpty();
  }

  @Test
  void rejectsASpanEndingTooFarAheadWithHowFar() {
    long twoDays = 172_800 * SECOND;

    assertThat(bounds.check(NOW, NOW + 300 * SECOND + 1, NOW_MILLIS))
        .isEqualTo(SpanDefect.TOO_FAR_IN_FUTURE);
    assertThat(bounds.check(NOW + twoDays, NOW + twoDays, NOW_MILLIS))
        .isEqualTo(SpanDefect.TOO_FAR_IN_FUTURE);
    assertThat(bounds.problem(NOW + twoDays, NOW + twoDays, NOW_MILLIS))
        .isEqualTo("ends 2d0h ahead of the receiver's clock (at most 5m0s allowed)");
    assertThat(bounds.check(NOW, Long.MAX_VALUE, NOW_MILLIS))
        .isEqualTo(SpanDefect.TOO_FAR_IN_FUTURE);
  }

  @Test
  void rejectsASpanStartingTooLongAgoWithHowLong() {
    long start = NOW - 172_800 * SECOND - 1;

    assertThat(bounds.check(start, NOW, NOW_MILLIS)).isEqualTo(SpanDefect.TOO_OLD);
    assertThat(bounds.check(1, 2, NOW_MILLIS)).isEqualTo(SpanDefect.TOO_OLD);
    assertThat(bounds.problem(NOW - 3 * 86_400 * SECOND, NOW, NOW_MILLIS))
        .isEqualTo("starts 3d0h before the receiver's clock (at most 2d0h allowed)");
  }

  @Test
  void saysDurationsTheWayPeopleDo() {
    assertThat(SpanTimeBounds.human(1_500_000_000L)).isEqualTo("1.500s");
    assertThat(SpanTimeBounds.human(42 * SECOND)).isEqualTo("42s");
    assertThat(SpanTimeBounds.human(3_700 * SECOND)).isEqualTo("1h1m");
  }

  @Test
  void refusesBoundsThatAreNotPositive() {
    assertThatThrownBy(() -> new SpanTimeBounds(Duration.ZERO, Duration.ofDays(1)))
        .hasMessageContaining("maxFutureSkew");
    assertThatThrownBy(() -> new SpanTimeBounds(Duration.ofMinutes(1), Duration.ofDays(-1)))
        .hasMessageContaining("maxAge");
  }
}
