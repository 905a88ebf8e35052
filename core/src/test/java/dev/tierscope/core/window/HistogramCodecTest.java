package dev.tierscope.core.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Histograms survive the store's compressed form and keep merging afterwards. */
class HistogramCodecTest {

  private static Histogram histogramOf(long... values) {
    Histogram h = new Histogram(2);
    for (long v : values) {
      h.recordValue(v);
    }
    return h;
  }

  @Test
  void decodedHistogramEqualsTheEncodedOne() {
    Random random = new Random(42);
    Histogram original = new Histogram(2);
    for (int i = 0; i < 10_000; i++) {
      original.recordValue(1 + (long) (random.nextDouble() * 5_000_000));
    }

    Histogram decoded = HistogramCodec.decode(HistogramCodec.encode(original));

    assertThat(decoded).isEqualTo(original);
    assertThat(decoded.getTotalCount()).isEqualTo(10_000);
    assertThat(decoded.getValueAtPercentile(99)).isEqualTo(original.getValueAtPercentile(99));
  }

  @Test
  void emptyHistogramRoundTrips() {
    Histogram decoded = HistogramCodec.decode(HistogramCodec.encode(new Histogram(2)));

    assertThat(decoded.getTotalCount()).isZero();
  }

  @Test
  void encodingIsCompact() {
    Histogram h = histogramOf(650_000, 700_000, 900_000);

    assertThat(HistogramCodec.encode(h).length).isLessThan(h.getNeededByteBufferCapacity() / 10);
  }

  @Test
  void decodedHistogramAbsorbsLargerValuesWhenMerged() {
    Histogram small = histogramOf(100, 200, 300);
    Histogram decoded = HistogramCodec.decode(HistogramCodec.encode(small));
    long large = 3_600_000_000L; // an hour in microseconds

    decoded.add(histogramOf(large));
    decoded.recordValue(large * 10);

    assertThat(decoded.getTotalCount()).isEqualTo(5);
    assertThat(decoded.valuesAreEquivalent(decoded.getMaxValue(), large * 10)).isTrue();
    assertThat(decoded.getCountBetweenValues(large, large)).isEqualTo(1);
  }

  @Test
  void corruptCompressedPayloadIsRefusedWithIllegalArgument() {
    byte[] bytes = HistogramCodec.encode(histogramOf(5));
    bytes[bytes.length - 3] ^= 0x55;

    assertThatThrownBy(() -> HistogramCodec.decode(bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stored histogram is corrupt");
  }

  @Test
  void bytesThatAreNoHistogramAreRefusedWithIllegalArgument() {
    assertThatThrownBy(() -> HistogramCodec.decode(new byte[40]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void truncatedBytesAreRefusedWithIllegalArgument() {
    byte[] bytes = HistogramCodec.encode(histogramOf(5));
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 5);

    assertThatThrownBy(() -> HistogramCodec.decode(truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stored histogram is corrupt");
    assertThatThrownBy(() -> HistogramCodec.decode(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stored histogram is corrupt");
  }
}
