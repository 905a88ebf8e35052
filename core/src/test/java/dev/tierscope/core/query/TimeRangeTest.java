package dev.tierscope.core.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A query's range: from strictly before to, its length, the range before it. */
class TimeRangeTest {

  private static final Instant T = Instant.parse("2026-11-20T10:00:00Z");

  @Test
  void rejectsRangeThatEndsBeforeOrWhereItStarts() {
    assertThatThrownBy(() -> new TimeRange(T, T))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("from (2026-11-20T10:00:00Z) must be before to (2026-11-20T10:00:00Z)");
    assertThatThrownBy(() -> new TimeRange(T, T.minusNanos(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TimeRange(null, T)).isInstanceOf(NullPointerException.class);
    assertThat(new TimeRange(T, T.plusNanos(1)).length()).isEqualTo(Duration.ofNanos(1));
  }

  @Test
  void rangeBeforeEndsWhereThisOneStarts() {
    TimeRange range = new TimeRange(T, T.plus(Duration.ofMinutes(15)));

    assertThat(range.before(Duration.ofHours(1)))
        .isEqualTo(new TimeRange(T.minus(Duration.ofHours(1)), T));
    assertThat(range.length()).isEqualTo(Duration.ofMinutes(15));
  }
}
