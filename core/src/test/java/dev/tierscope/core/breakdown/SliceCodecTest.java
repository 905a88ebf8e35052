package dev.tierscope.core.breakdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.Metric;
import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** A slice survives its stored form exactly; bytes it did not write are refused. */
class SliceCodecTest {

  @Test
  void histogramsAndCountersComeBackExactly() {
    Histogram ttft = new Histogram(2);
    for (int i = 1; i <= 1_000; i++) {
      ttft.recordValue(i * 1_000L);
    }
    Histogram edge = new Histogram(2);
    edge.recordValue(42_000);
    Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
    h.put(Metric.TTFT, ttft);
    h.put(Metric.EDGE, edge);
    h.put(Metric.MESH, new Histogram(2)); // empty: not written
    Map<Counter, Long> c = new EnumMap<>(Counter.class);
    c.put(Counter.REQUESTS, 1_000L);
    c.put(Counter.STREAMS, 7L);
    c.put(Counter.INTERRUPTED, 0L); // zero: not written

    Slice back =
        SliceCodec.decode(
            Dimension.MODEL,
            "gpt-4o",
            SliceCodec.encode(new Slice(Dimension.MODEL, "gpt-4o", h, c)));

    assertThat(back.dimension()).isEqualTo(Dimension.MODEL);
    assertThat(back.value()).isEqualTo("gpt-4o");
    assertThat(back.histograms()).containsOnlyKeys(Metric.TTFT, Metric.EDGE);
    assertThat(back.histograms().get(Metric.TTFT)).isEqualTo(ttft);
    assertThat(back.histograms().get(Metric.EDGE)).isEqualTo(edge);
    assertThat(back.counters())
        .containsExactlyInAnyOrderEntriesOf(Map.of(Counter.REQUESTS, 1_000L, Counter.STREAMS, 7L));
    assertThat(back.requests()).isEqualTo(1_000);
  }

  @Test
  void mergingTwoDecodedSlicesEqualsOneHistogramOfAllValues() {
    Slice a = Slice.empty(Dimension.REGION, "eu");
    Slice b = Slice.empty(Dimension.REGION, "eu");
    Histogram all = new Histogram(2);
    for (int i = 0; i < 500; i++) {
      Slice into = i % 2 == 0 ? a : b;
      into.histograms().computeIfAbsent(Metric.TTFT, m -> new Histogram(2)).recordValue(i * 997L);
      into.counters().merge(Counter.REQUESTS, 1L, Long::sum);
      all.recordValue(i * 997L);
    }
    Slice merged = SliceCodec.decode(Dimension.REGION, "eu", SliceCodec.encode(a));
    merged.add(SliceCodec.decode(Dimension.REGION, "eu", SliceCodec.encode(b)));

    assertThat(merged.histograms().get(Metric.TTFT)).isEqualTo(all);
    assertThat(merged.requests()).isEqualTo(500);
  }

  @Test
  void refusesBytesItDidNotWrite() {
    assertThatThrownBy(() -> SliceCodec.decode(Dimension.MODEL, "m", new byte[] {9, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 9");
    byte[] good = SliceCodec.encode(Slice.empty(Dimension.MODEL, "m"));
    byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> SliceCodec.decode(Dimension.MODEL, "m", longer))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] shorter = java.util.Arrays.copyOf(good, good.length - 1);
    assertThatThrownBy(() -> SliceCodec.decode(Dimension.MODEL, "m", shorter))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SliceCodec.decode(Dimension.MODEL, "m", new byte[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SliceCodec.decode(Dimension.MODEL, "m", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    for (int i = 0; i < 2_000; i++) {
      byte[] noise = new byte[1 + random.nextInt(64)];
      random.nextBytes(noise);
      noise[0] = 1;
      assertThatThrownBy(() -> SliceCodec.decode(Dimension.MODEL, "m", noise))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
