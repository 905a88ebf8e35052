package dev.tierscope.core.window;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.HdrHistogram.Histogram;

/** HdrHistogram's own compressed encoding, the form histograms take in the store. */
public final class HistogramCodec {

  /** HdrHistogram's cookie bases (the low nibble of the cookie's second byte is the word size). */
  private static final int V2_COOKIE_BASE = 0x1c849303;

  private static final int V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
  private static final int HEADER_BYTES = 40;

  /** Far above any histogram the aggregator writes (a few KB inflated). */
  private static final int MAX_INFLATED_BYTES = 16 << 20;

  private HistogramCodec() {}

  public static byte[] encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buffer);
    byte[] out = new byte[n];
    buffer.flip();
    buffer.get(out);
    return out;
  }

  public static Histogram decode(byte[] bytes) {
    try {
      Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
      // Decoded histograms are sized to what they held; merging needs room for more.
      h.setAutoResize(true);
      return h;
    } catch (DataFormatException | RuntimeException e) {
      throw new IllegalArgumentException("stored histogram is corrupt", e);
    }
  }

  /**
   * Adds stored histograms into accumulators without building a {@link Histogram} for each: what a
   * read that merges hundreds of rows per metric needs. {@code add(into, bytes)} gives the same
   * histogram as {@code into.add(decode(bytes))} (or {@code decode(bytes)} when {@code into} is
   * null), bucket by bucket, but it inflates into one reused buffer and records only the non-empty
   * buckets, where decoding allocates and zeroes a counts array per row, walks it to find the
   * extremes and {@code add} walks it again. Measured on a 24 h series at 1 min steps: decoding and
   * adding were two thirds of the api's CPU and most of its garbage.
   *
   * <p>Only HdrHistogram's V2 compressed encoding (the one {@link #encode} writes) is read this
   * way; anything else goes through {@link #decode}. Not thread-safe: one per read; {@link #close}
   * frees the inflater's native memory.
   */
  public static final class Merger implements AutoCloseable {

    private final Inflater inflater = new Inflater();
    private byte[] buffer = new byte[4096];

    /**
     * {@code into} with {@code stored} added, or a new auto-resizing histogram holding {@code
     * stored} when {@code into} is null.
     *
     * @throws IllegalArgumentException when {@code stored} is not a histogram ("stored histogram is
     *     corrupt")
     */
    public Histogram add(Histogram into, byte[] stored) {
      try {
        Histogram merged = addV2(into, stored);
        if (merged != null) {
          return merged;
        }
      } catch (DataFormatException | RuntimeException e) {
        throw new IllegalArgumentException("stored histogram is corrupt", e);
      }
      Histogram decoded = decode(stored);
      if (into == null) {
        return decoded;
      }
      into.add(decoded);
      return into;
    }

    /** Null when {@code stored} is a form only HdrHistogram's own decoder reads. */
    private Histogram addV2(Histogram into, byte[] stored) throws DataFormatException {
      ByteBuffer in = ByteBuffer.wrap(stored);
      if ((in.getInt() & ~0xf0) != V2_COMPRESSED_COOKIE_BASE) {
        return null;
      }
      int compressed = in.getInt();
      if (compressed < 0 || compressed > in.remaining()) {
        throw new IllegalArgumentException("compressed length " + compressed);
      }
      int n = inflate(stored, in.position(), compressed);
      ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
      if (n < HEADER_BYTES || (b.getInt() & ~0xf0) != V2_COOKIE_BASE) {
        return null;
      }
      int payload = b.getInt();
      int normalizingIndexOffset = b.getInt();
      int digits = b.getInt();
      long lowest = b.getLong();
      long highest = b.getLong();
      double ratio = b.getDouble();
      if (normalizingIndexOffset != 0 || ratio != 1.0) {
        return null;
      }
      if (payload < 0 || payload > n - HEADER_BYTES) {
        throw new IllegalArgumentException("payload of " + payload + " bytes");
      }
      if (into == null) {
        // As HdrHistogram's decoder builds it (it checks the header's values).
        into = new Histogram(lowest, Math.max(highest, 2 * lowest), digits);
        into.setAutoResize(true);
      }
      // The stored histogram's bucket layout, computed as AbstractHistogram does.
      int unitMagnitude = (int) (Math.log(lowest) / Math.log(2));
      long singleUnitUpTo = 2 * (long) Math.pow(10, digits);
      int halfCountMagnitude = (int) Math.ceil(Math.log(singleUnitUpTo) / Math.log(2)) - 1;
      int halfCount = 1 << halfCountMagnitude;
      // The counts, HdrHistogram's ZigZag LEB128 (at most 9 bytes, the ninth whole), read from
      // the array itself: through the ByteBuffer this loop was a quarter of a series' CPU.
      byte[] counts = buffer;
      int at = HEADER_BYTES;
      int end = HEADER_BYTES + payload;
      long index = 0;
      while (at < end) {
        long raw = 0;
        for (int shift = 0; ; shift += 7) {
          if (at >= n) {
            throw new IllegalArgumentException("truncated count");
          }
          byte v = counts[at++];
          if (shift == 56) {
            raw |= ((long) v) << 56;
            break;
          }
          raw |= (long) (v & 0x7F) << shift;
          if ((v & 0x80) == 0) {
            break;
          }
        }
        long count = (raw >>> 1) ^ -(raw & 1);
        if (count < 0) {
          index -= count; // a run of empty buckets
        } else {
          if (count > 0) {
            into.recordValueWithCount(
                valueAt(index, halfCountMagnitude, halfCount, unitMagnitude), count);
          }
          index++;
        }
        if (index > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("bucket index " + index);
        }
      }
      return into;
    }

    private static long valueAt(long index, int halfCountMagnitude, int halfCount, int unit) {
      int bucket = (int) (index >> halfCountMagnitude) - 1;
      long subBucket = (index & (halfCount - 1)) + halfCount;
      if (bucket < 0) {
        subBucket -= halfCount;
        bucket = 0;
      }
      int shift = bucket + unit;
      if (shift > 62 || subBucket > (Long.MAX_VALUE >> shift)) {
        throw new IllegalArgumentException("bucket index " + index);
      }
      return subBucket << shift;
    }

    /** Inflates {@code length} bytes from {@code offset} into {@link #buffer}; its length. */
    private int inflate(byte[] stored, int offset, int length) throws DataFormatException {
      inflater.reset();
      inflater.setInput(stored, offset, length);
      int n = 0;
      while (!inflater.finished()) {
        if (n == buffer.length) {
          if (buffer.length >= MAX_INFLATED_BYTES) {
            throw new IllegalArgumentException("inflates beyond " + MAX_INFLATED_BYTES + " bytes");
          }
          buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        int r = inflater.inflate(buffer, n, buffer.length - n);
        if (r == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalArgumentException("truncated");
        }
        n += r;
      }
      return n;
    }

    @Override
    public void close() {
      inflater.end();
    }
  }
}
