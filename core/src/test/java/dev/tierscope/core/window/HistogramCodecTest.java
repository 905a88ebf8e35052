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

  private static Histogram random(Random random, long lowest, int digits, int values, long upTo) {
    Histogram h = new Histogram(lowest, 2 * lowest, digits);
    h.setAutoResize(true);
    for (int i = 0; i < values; i++) {
      long v = lowest + (long) (Math.pow(random.nextDouble(), 3) * upTo);
      h.recordValueWithCount(v, 1 + random.nextInt(random.nextBoolean() ? 3 : 100_000));
    }
    return h;
  }

  private static void assertSameHistogram(Histogram actual, Histogram expected) {
    assertThat(actual).isEqualTo(expected);
    assertThat(actual.getTotalCount()).isEqualTo(expected.getTotalCount());
    assertThat(actual.getMaxValue()).isEqualTo(expected.getMaxValue());
    assertThat(actual.getMinNonZeroValue()).isEqualTo(expected.getMinNonZeroValue());
    assertThat(actual.getMean()).isEqualTo(expected.getMean());
    for (double p : new double[] {0, 1, 50, 90, 95, 99, 99.9, 100}) {
      assertThat(actual.getValueAtPercentile(p)).isEqualTo(expected.getValueAtPercentile(p));
    }
  }

  @Test
  void mergerGivesWhatDecodingAndAddingGiveForEveryLayout() {
    Random random = new Random(7);
    try (HistogramCodec.Merger merger = new HistogramCodec.Merger()) {
      for (int round = 0; round < 400; round++) {
        long lowest = new long[] {1, 1, 1, 3, 10, 1000}[random.nextInt(6)];
        int digits = 1 + random.nextInt(4);
        long upTo = new long[] {100, 5_000_000, 3_600_000_000L, 1L << 40}[random.nextInt(4)];
        byte[] stored =
            HistogramCodec.encode(random(random, lowest, digits, random.nextInt(300), upTo));

        // Into nothing: the first row of a merge.
        Histogram decoded = HistogramCodec.decode(stored);
        Histogram first = merger.add(null, stored);
        if (decoded.getTotalCount() > 0 || lowest == 1) {
          assertSameHistogram(first, decoded);
        } else {
          // (HdrHistogram's decoder gives an empty histogram whose lowest discernible value is
          // above 1 a maximum of the lowest bucket's top value; the merger's has none.)
          assertThat(first.getTotalCount()).isZero();
        }

        // Into an accumulator of the same layout or another one, smaller or larger.
        long intoLowest = random.nextBoolean() ? lowest : new long[] {1, 7, 100}[random.nextInt(3)];
        int intoDigits = random.nextBoolean() ? digits : 1 + random.nextInt(4);
        Histogram into = random(random, intoLowest, intoDigits, random.nextInt(50), upTo / 4 + 1);
        Histogram expected = into.copy();
        if (decoded.getTotalCount() > 0) {
          // (HdrHistogram's add of an empty histogram of another layout sets a maximum of the
          // lowest bucket's top value, 511 for a lowest discernible value of 1,000; the merger
          // leaves the accumulator as it was.)
          expected.add(decoded);
        }

        Histogram merged = merger.add(into, stored);

        assertThat(merged).isSameAs(into);
        assertSameHistogram(merged, expected);
      }
    }
  }

  @Test
  void mergerAddsManyRowsAsDecodingWould() {
    Random random = new Random(11);
    Histogram expected = null;
    Histogram merged = null;
    try (HistogramCodec.Merger merger = new HistogramCodec.Merger()) {
      for (int row = 0; row < 200; row++) {
        byte[] stored = HistogramCodec.encode(random(random, 1, 2, 40, 30_000_000));
        Histogram decoded = HistogramCodec.decode(stored);
        if (expected == null) {
          expected = decoded;
        } else {
          expected.add(decoded);
        }
        merged = merger.add(merged, stored);
      }
    }
    assertSameHistogram(merged, expected);
    assertThat(HistogramCodec.encode(merged)).isEqualTo(HistogramCodec.encode(expected));
  }

  @Test
  void mergerTakesEmptyHistogramsAndOlderEncodings() {
    try (HistogramCodec.Merger merger = new HistogramCodec.Merger()) {
      Histogram empty = merger.add(null, HistogramCodec.encode(new Histogram(2)));
      assertThat(empty.getTotalCount()).isZero();
      assertThat(merger.add(histogramOf(5), HistogramCodec.encode(new Histogram(2))))
          .isEqualTo(histogramOf(5));

      // An uncompressed encoding is not what the store writes: HdrHistogram's decoder reads it.
      Histogram h = histogramOf(100, 200, 300);
      java.nio.ByteBuffer plain = java.nio.ByteBuffer.allocate(h.getNeededByteBufferCapacity());
      h.encodeIntoByteBuffer(plain);
      byte[] bytes = Arrays.copyOf(plain.array(), plain.position());
      assertThatThrownBy(() -> merger.add(null, bytes))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("stored histogram is corrupt");
    }
  }

  @Test
  void mergerRefusesCorruptRowsAndGoesOnMerging() {
    try (HistogramCodec.Merger merger = new HistogramCodec.Merger()) {
      byte[] good = HistogramCodec.encode(histogramOf(5, 7));
      byte[] flipped = good.clone();
      flipped[flipped.length - 3] ^= 0x55;
      Histogram into = histogramOf(9);

      for (byte[] bad :
          new byte[][] {
            flipped, Arrays.copyOf(good, good.length - 5), new byte[] {1, 2, 3}, new byte[40]
          }) {
        assertThatThrownBy(() -> merger.add(into, bad))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("stored histogram is corrupt");
      }
      assertThat(merger.add(into, good)).isEqualTo(histogramOf(5, 7, 9));
    }
  }
}
