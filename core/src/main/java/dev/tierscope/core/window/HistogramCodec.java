package dev.tierscope.core.window;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/** HdrHistogram's own compressed encoding, the form histograms take in the store. */
public final class HistogramCodec {

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
}
