package dev.tierscope.core.window;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;

/**
 * Counts per HdrHistogram bucket: what a breakdown slice records while its window is open, turned
 * into a histogram when the window is handed out.
 *
 * <p>Why not a histogram: a slice is recorded once per request and dimension, six times as often as
 * the window's own histograms, and holds few distinct values. A packed histogram's increment walks
 * its index tree (most of the aggregator's time with breakdowns, measured); a plain one allocates
 * its whole counts array (about 15 KB at 2 digits up to seconds) per slice and metric. An
 * open-addressing table costs one probe per value, in one {@code long} per bucket that got values
 * (the bucket in the high 24 bits, its count in the low 40). The histogram made from it is the same
 * bucket by bucket: every value is counted under the lowest value of its bucket, which lands in the
 * same bucket.
 *
 * <p>Not thread-safe.
 */
final class BucketCounts {

  private static final int COUNT_BITS = 40;
  private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

  /** Sub-buckets per bucket are below 2^18 at up to 5 significant digits. */
  private static final int SUB_BITS = 18;

  // 0: empty; else bucket << COUNT_BITS | count (count >= 1)
  private long[] slots = new long[16];
  private int size;

  /**
   * The bucket of {@code value} in histograms shaped like {@code shape}, as an int of at most 24
   * bits: the log2 of the bucket's width and the bucket's lowest value in units of that width.
   */
  static int bucketOf(AbstractHistogram shape, long value) {
    long lowest = shape.lowestEquivalentValue(value);
    int shift = Long.numberOfTrailingZeros(shape.sizeOfEquivalentValueRange(lowest));
    return shift << SUB_BITS | (int) (lowest >>> shift);
  }

  /** The lowest value of a bucket {@link #bucketOf} returned. */
  static long lowestValueOf(int bucket) {
    return ((long) bucket & ((1 << SUB_BITS) - 1)) << (bucket >>> SUB_BITS);
  }

  /** Counts one value of {@code bucket} ({@link #bucketOf}). */
  void add(int bucket) {
    long[] s = slots;
    int mask = s.length - 1;
    long key = (long) bucket << COUNT_BITS;
    int i = (bucket * 0x9E3779B9) >>> 16 & mask;
    while (true) {
      long e = s[i];
      if (e == 0) {
        s[i] = key | 1;
        if (++size * 2 > s.length) {
          grow();
        }
        return;
      }
      if ((e & ~COUNT_MASK) == key) {
        if ((e & COUNT_MASK) == COUNT_MASK) {
          throw new IllegalStateException("more than 2^40 values in one bucket of one window");
        }
        s[i] = e + 1;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private void grow() {
    long[] old = slots;
    long[] s = new long[old.length * 2];
    int mask = s.length - 1;
    for (long e : old) {
      if (e != 0) {
        int bucket = (int) (e >>> COUNT_BITS);
        int i = (bucket * 0x9E3779B9) >>> 16 & mask;
        while (s[i] != 0) {
          i = (i + 1) & mask;
        }
        s[i] = e;
      }
    }
    slots = s;
  }

  /** Distinct buckets counted. */
  int buckets() {
    return size;
  }

  /**
   * A histogram of these counts, of {@code significantDigits} as the buckets were made with. Plain,
   * sized for the largest bucket: filling a packed histogram bucket by bucket in this table's order
   * took half the aggregator's time with breakdowns (measured); a plain one is a short-lived array
   * the store encodes or merges and drops.
   */
  Histogram toHistogram(int significantDigits) {
    long highest = 2;
    for (long e : slots) {
      if (e != 0) {
        highest = Math.max(highest, lowestValueOf((int) (e >>> COUNT_BITS)));
      }
    }
    Histogram h = new Histogram(1, highest, significantDigits);
    h.setAutoResize(true);
    for (long e : slots) {
      if (e != 0) {
        h.recordValueWithCount(lowestValueOf((int) (e >>> COUNT_BITS)), e & COUNT_MASK);
      }
    }
    return h;
  }
}
