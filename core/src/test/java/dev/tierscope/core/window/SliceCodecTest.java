package dev.tierscope.core.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void aOneRequestSliceTakesTensOfBytesNotHundreds() {
    Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
    long[] micros = {412_345, 31_000, 4_200, 377_000, 12_500};
    Metric[] metrics = {Metric.TTFT, Metric.EDGE, Metric.MESH, Metric.MODEL, Metric.MODEL_QUEUE};
    for (int i = 0; i < metrics.length; i++) {
      Histogram one = new Histogram(2);
      one.recordValue(micros[i]);
      h.put(metrics[i], one);
    }
    Map<Counter, Long> c = new EnumMap<>(Counter.class);
    c.put(Counter.REQUESTS, 1L);
    c.put(Counter.STREAMS, 1L);
    c.put(Counter.RETRIEVALS, 2L);
    Slice one = new Slice(Dimension.MODEL, "gpt-4o", h, c);

    byte[] bytes = SliceCodec.encode(one);

    // HdrHistogram's own encoding, deflated once per slice, took 383 bytes for the same slice
    assertThat(bytes.length).isLessThanOrEqualTo(64);
    Slice back = SliceCodec.decode(Dimension.MODEL, "gpt-4o", bytes);
    h.forEach((m, histogram) -> assertThat(back.histograms().get(m)).isEqualTo(histogram));
    assertThat(back.counters()).isEqualTo(c);
  }

  @Test
  void randomSlicesOfAnyPrecisionAndRangeComeBackEqual() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(41);
    for (int round = 0; round < 60; round++) {
      int digits = 1 + random.nextInt(4);
      Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
      for (Metric m : SliceCodec.METRIC_CODES) {
        if (random.nextBoolean()) {
          Histogram histogram = new Histogram(digits);
          int n = 1 + random.nextInt(random.nextBoolean() ? 3 : 3_000);
          long scale = 1L << random.nextInt(40);
          for (int i = 0; i < n; i++) {
            histogram.recordValueWithCount(
                (long) (scale * random.nextDouble()), 1 + random.nextInt(1_000));
          }
          h.put(m, histogram);
        }
      }
      Map<Counter, Long> c = new EnumMap<>(Counter.class);
      for (Counter k : SliceCodec.COUNTER_CODES) {
        if (random.nextBoolean()) {
          c.put(k, random.nextLong(Long.MAX_VALUE));
        }
      }

      Slice back =
          SliceCodec.decode(
              Dimension.REGION, "eu", SliceCodec.encode(new Slice(Dimension.REGION, "eu", h, c)));

      assertThat(back.histograms()).isEqualTo(h);
      assertThat(back.counters()).isEqualTo(c);
    }
  }

  @Test
  void everyMetricAndCounterOfASliceHasAStableCode() {
    assertThat(SliceCodec.METRIC_CODES).containsExactlyInAnyOrderElementsOf(Slice.METRICS);
    assertThat(SliceCodec.COUNTER_CODES).containsExactlyInAnyOrderElementsOf(Slice.COUNTERS);
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
