package dev.tierscope.core.window;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Binary form of a slice's histograms and counters, one stored row per (window, dimension, value):
 * one row holds what would otherwise be up to sixteen, which is what keeps the breakdown's storage
 * bounded.
 *
 * <p>Why its own encoding: a slice's histograms hold few values, and HdrHistogram's own encoding
 * spends a 40-byte header on each (most of a one-request slice, measured: 383 bytes). Here a
 * histogram is its metric, its precision and its non-empty buckets, each as the distance from the
 * previous bucket in units of that bucket's width and a count, both as varints; counters are a code
 * and a varint. Merged from histograms of the same precision, the buckets decode to a histogram
 * equal to the original one, bucket by bucket.
 *
 * <pre>
 * byte     version (1)
 * byte     0: body as is, 1: body DEFLATE-compressed (whichever is shorter)
 * body     varint counters, then per counter: byte code, varint value
 *          varint histograms, then per histogram: byte code, byte significant digits,
 *          varint buckets, then per bucket: varint step, varint count
 * int      CRC-32C of everything before it
 * </pre>
 *
 * Metrics and counters are written by stable codes (their position in {@link #METRIC_CODES} and
 * {@link #COUNTER_CODES}, append-only), so that a reader that does not know a code refuses the row
 * instead of misreading it; the checksum refuses corrupt or foreign bytes.
 */
public final class SliceCodec {

  static final byte VERSION = 1;

  private static final byte PLAIN = 0;
  private static final byte DEFLATED = 1;

  /** Stable codes of the metrics a slice may hold: append only. */
  static final List<Metric> METRIC_CODES =
      List.of(
          Metric.TTFT,
          Metric.EDGE,
          Metric.MESH,
          Metric.MODEL,
          Metric.MODEL_QUEUE,
          Metric.TOOLCHAIN,
          Metric.TOOLCHAIN_FAILED);

  /** Stable codes of the counters a slice may hold: append only. */
  static final List<Counter> COUNTER_CODES =
      List.of(
          Counter.REQUESTS,
          Counter.STREAMS,
          Counter.INTERRUPTED,
          Counter.CANCELLED,
          Counter.RETRIEVALS,
          Counter.RETRIEVAL_MISSES,
          Counter.RETRIEVAL_FALLBACKS,
          Counter.TOOL_CHAINS,
          Counter.FAILED_CHAINS);

  /** The largest body accepted: far above any real slice (a few KB). */
  private static final int MAX_BODY_BYTES = 16 << 20;

  /** Below this a body is not worth compressing. */
  private static final int DEFLATE_FROM_BYTES = 64;

  private SliceCodec() {}

  /**
   * The histograms and counters of {@code slice} (its dimension and value are the row's key).
   *
   * @throws IllegalArgumentException for a metric or counter without a code, or a negative counter
   */
  public static byte[] encode(Slice slice) {
    Out body = new Out(64);
    int counters = 0;
    for (long v : slice.counters().values()) {
      if (v != 0) {
        counters++;
      }
    }
    body.varint(counters);
    for (Map.Entry<Counter, Long> e : slice.counters().entrySet()) {
      if (e.getValue() != 0) {
        int code = COUNTER_CODES.indexOf(e.getKey());
        if (code < 0 || e.getValue() < 0) {
          throw new IllegalArgumentException(
              "a slice cannot hold counter " + e.getKey().id() + " = " + e.getValue());
        }
        body.write(code);
        body.varint(e.getValue());
      }
    }
    int histograms = 0;
    for (Histogram h : slice.histograms().values()) {
      if (h.getTotalCount() > 0) {
        histograms++;
      }
    }
    body.varint(histograms);
    for (Map.Entry<Metric, Histogram> e : slice.histograms().entrySet()) {
      Histogram h = e.getValue();
      if (h.getTotalCount() == 0) {
        continue;
      }
      int code = METRIC_CODES.indexOf(e.getKey());
      if (code < 0) {
        throw new IllegalArgumentException("a slice cannot hold metric " + e.getKey().id());
      }
      body.write(code);
      body.write(h.getNumberOfSignificantValueDigits());
      Out buckets = new Out(32);
      int n = 0;
      long previous = 0;
      for (HistogramIterationValue v : h.recordedValues()) {
        long bucket = h.lowestEquivalentValue(v.getValueIteratedTo());
        buckets.varint((bucket - previous) / unit(h, previous));
        buckets.varint(v.getCountAtValueIteratedTo());
        previous = bucket;
        n++;
      }
      body.varint(n);
      body.write(buckets.buffer(), 0, buckets.size());
    }

    byte[] plain = body.toByteArray();
    byte[] deflated = plain.length >= DEFLATE_FROM_BYTES ? deflate(plain) : null;
    boolean compress = deflated != null && deflated.length < plain.length;
    byte[] chosen = compress ? deflated : plain;
    byte[] out = new byte[2 + chosen.length + 4];
    out[0] = VERSION;
    out[1] = compress ? DEFLATED : PLAIN;
    System.arraycopy(chosen, 0, out, 2, chosen.length);
    CRC32C crc = new CRC32C();
    crc.update(out, 0, out.length - 4);
    int c = (int) crc.getValue();
    int at = out.length - 4;
    out[at] = (byte) (c >>> 24);
    out[at + 1] = (byte) (c >>> 16);
    out[at + 2] = (byte) (c >>> 8);
    out[at + 3] = (byte) c;
    return out;
  }

  /**
   * The slice of {@code dimension} and {@code value} these bytes hold; mutable, to merge into.
   *
   * @throws IllegalArgumentException for bytes this codec did not write
   */
  public static Slice decode(Dimension dimension, String value, byte[] bytes) {
    if (bytes.length == 0 || bytes[0] != VERSION) {
      throw new IllegalArgumentException(
          "slice version "
              + (bytes.length == 0 ? "(none)" : Byte.toString(bytes[0]))
              + " is not supported (expected "
              + VERSION
              + ")");
    }
    if (bytes.length < 2 + 4) {
      throw new IllegalArgumentException("slice bytes are truncated");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int at = bytes.length - 4;
    int stored =
        ((bytes[at] & 0xff) << 24)
            | ((bytes[at + 1] & 0xff) << 16)
            | ((bytes[at + 2] & 0xff) << 8)
            | (bytes[at + 3] & 0xff);
    if (stored != (int) crc.getValue()) {
      throw new IllegalArgumentException("slice bytes are corrupt (checksum)");
    }
    byte[] body =
        switch (bytes[1]) {
          case PLAIN -> Arrays.copyOfRange(bytes, 2, bytes.length - 4);
          case DEFLATED -> inflate(bytes, 2, bytes.length - 6);
          default -> throw new IllegalArgumentException("slice body kind " + bytes[1]);
        };
    try {
      In in = new In(body);
      Map<Counter, Long> counters = new EnumMap<>(Counter.class);
      long nc = in.varint();
      if (nc > COUNTER_CODES.size()) {
        throw new IllegalArgumentException(nc + " counters");
      }
      for (int i = 0; i < nc; i++) {
        Counter c = code(COUNTER_CODES, in.unsignedByte(), "counter");
        long v = in.varint();
        if (v < 0) {
          throw new IllegalArgumentException("counter " + c.id() + " is negative");
        }
        counters.merge(c, v, Math::addExact);
      }
      Map<Metric, Histogram> histograms = new EnumMap<>(Metric.class);
      long nh = in.varint();
      if (nh > METRIC_CODES.size()) {
        throw new IllegalArgumentException(nh + " histograms");
      }
      for (int i = 0; i < nh; i++) {
        Metric m = code(METRIC_CODES, in.unsignedByte(), "metric");
        int digits = in.unsignedByte();
        if (digits < 1 || digits > 5) {
          throw new IllegalArgumentException("histogram " + m.id() + " of " + digits + " digits");
        }
        Histogram h = new Histogram(digits);
        long buckets = in.varint();
        if (buckets < 1 || buckets > in.remaining()) {
          throw new IllegalArgumentException("histogram " + m.id() + " of " + buckets + " buckets");
        }
        long previous = 0;
        for (long b = 0; b < buckets; b++) {
          long step = in.varint();
          if (b > 0 && step < 1) {
            throw new IllegalArgumentException("histogram " + m.id() + " buckets out of order");
          }
          long bucket = Math.addExact(previous, Math.multiplyExact(step, unit(h, previous)));
          long count = in.varint();
          if (bucket < 0
              || bucket > Long.MAX_VALUE / 4
              || count < 1
              || h.lowestEquivalentValue(bucket) != bucket) {
            throw new IllegalArgumentException("histogram " + m.id() + " bucket " + bucket);
          }
          h.recordValueWithCount(bucket, count);
          previous = bucket;
        }
        if (histograms.putIfAbsent(m, h) != null) {
          throw new IllegalArgumentException("histogram " + m.id() + " twice");
        }
      }
      if (in.remaining() > 0) {
        throw new IllegalArgumentException(in.remaining() + " bytes after the end");
      }
      return new Slice(dimension, value, histograms, counters);
    } catch (IllegalArgumentException | ArithmeticException | ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("slice bytes are truncated or corrupt: " + e.getMessage());
    }
  }

  /** The width of the bucket starting at {@code bucket}: what a step counts in. */
  private static long unit(AbstractHistogram h, long bucket) {
    return h.sizeOfEquivalentValueRange(bucket);
  }

  private static <T> T code(List<T> codes, int code, String what) {
    if (code >= codes.size()) {
      throw new IllegalArgumentException("unknown " + what + " code " + code);
    }
    return codes.get(code);
  }

  private static byte[] deflate(byte[] plain) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      deflater.setInput(plain);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length);
      byte[] chunk = new byte[1024];
      while (!deflater.finished()) {
        int n = deflater.deflate(chunk);
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private static byte[] inflate(byte[] bytes, int offset, int length) {
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(bytes, offset, length);
      ByteArrayOutputStream out = new ByteArrayOutputStream(length * 4);
      byte[] chunk = new byte[4096];
      while (!inflater.finished()) {
        int n = inflater.inflate(chunk);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalArgumentException("slice bytes are truncated");
        }
        out.write(chunk, 0, n);
        if (out.size() > MAX_BODY_BYTES) {
          throw new IllegalArgumentException("slice inflates beyond " + MAX_BODY_BYTES + " bytes");
        }
      }
      if (inflater.getRemaining() > 0) {
        throw new IllegalArgumentException(inflater.getRemaining() + " bytes after the end");
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("slice bytes are corrupt: " + e.getMessage());
    } finally {
      inflater.end();
    }
  }

  private static final class Out extends ByteArrayOutputStream {
    Out(int size) {
      super(size);
    }

    void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      write((int) v);
    }

    byte[] buffer() {
      return buf;
    }
  }

  private static final class In {
    private final byte[] bytes;
    private int at;

    In(byte[] bytes) {
      this.bytes = bytes;
    }

    int remaining() {
      return bytes.length - at;
    }

    int unsignedByte() {
      if (at >= bytes.length) {
        throw new IllegalArgumentException("truncated");
      }
      return bytes[at++] & 0xff;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = unsignedByte();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("varint longer than 10 bytes");
    }
  }
}
