package dev.tierscope.core.breakdown;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.Metric;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import org.HdrHistogram.Histogram;

/**
 * Binary form of a slice's histograms and counters, one stored row per (window, dimension, value):
 * one row holds what would otherwise be up to sixteen, which is what keeps the breakdown's storage
 * bounded.
 *
 * <p>Versioned by its first byte; the rest is one DEFLATE stream of the counters and of the
 * histograms in HdrHistogram's uncompressed encoding. Compressing the slice once, rather than each
 * histogram on its own as {@code HistogramCodec} does, saves each histogram's compression overhead:
 * the histograms of a slice hold few values, and that overhead would be most of their size. Metrics
 * and counters are written by their stable names, so that a reader that does not know a name
 * refuses the row instead of misreading it.
 */
public final class SliceCodec {

  static final byte VERSION = 1;

  private SliceCodec() {}

  /** The histograms and counters of {@code slice} (its dimension and value are the row's key). */
  public static byte[] encode(Slice slice) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      bytes.write(VERSION);
      Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
      DeflaterOutputStream deflated = new DeflaterOutputStream(bytes, deflater);
      DataOutputStream out = new DataOutputStream(deflated);
      int counters = 0;
      for (long v : slice.counters().values()) {
        if (v != 0) {
          counters++;
        }
      }
      out.writeByte(counters);
      for (Map.Entry<Counter, Long> e : slice.counters().entrySet()) {
        if (e.getValue() != 0) {
          out.writeUTF(e.getKey().id());
          out.writeLong(e.getValue());
        }
      }
      int histograms = 0;
      for (Histogram h : slice.histograms().values()) {
        if (h.getTotalCount() > 0) {
          histograms++;
        }
      }
      out.writeByte(histograms);
      for (Map.Entry<Metric, Histogram> e : slice.histograms().entrySet()) {
        if (e.getValue().getTotalCount() > 0) {
          Histogram h = e.getValue();
          ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
          int n = h.encodeIntoByteBuffer(buffer);
          out.writeUTF(e.getKey().id());
          out.writeInt(n);
          out.write(buffer.array(), 0, n);
        }
      }
      out.flush();
      deflated.finish();
      deflater.end();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
    // Bounded: a corrupt stream cannot inflate beyond what a slice can hold.
    byte[] plain = inflate(bytes);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain))) {
      Map<Counter, Long> counters = new EnumMap<>(Counter.class);
      int nc = in.readUnsignedByte();
      for (int i = 0; i < nc; i++) {
        counters.merge(Counter.fromId(in.readUTF()), in.readLong(), Long::sum);
      }
      Map<Metric, Histogram> histograms = new EnumMap<>(Metric.class);
      int nh = in.readUnsignedByte();
      for (int i = 0; i < nh; i++) {
        Metric m = Metric.fromId(in.readUTF());
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
          throw new IOException("histogram of " + length + " bytes does not fit");
        }
        Histogram h;
        try {
          h = Histogram.decodeFromByteBuffer(ByteBuffer.wrap(in.readNBytes(length)), 0);
        } catch (RuntimeException e) {
          throw new IOException("histogram " + m.id() + " is corrupt", e);
        }
        h.setAutoResize(true);
        Histogram into = histograms.get(m);
        if (into == null) {
          histograms.put(m, h);
        } else {
          into.add(h);
        }
      }
      if (in.available() > 0) {
        throw new IOException(in.available() + " bytes after the end");
      }
      return new Slice(dimension, value, histograms, counters);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("slice bytes are truncated or corrupt: " + e.getMessage());
    }
  }

  /** The largest inflated slice accepted: far above any real one (a few KB). */
  private static final int MAX_PLAIN_BYTES = 16 << 20;

  private static byte[] inflate(byte[] bytes) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(bytes, 1, bytes.length - 1);
      ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length * 4);
      byte[] chunk = new byte[4096];
      while (!inflater.finished()) {
        int n = inflater.inflate(chunk);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalArgumentException("slice bytes are truncated");
        }
        out.write(chunk, 0, n);
        if (out.size() > MAX_PLAIN_BYTES) {
          throw new IllegalArgumentException("slice inflates beyond " + MAX_PLAIN_BYTES + " bytes");
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
}
