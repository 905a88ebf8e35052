package dev.tierscope.core.span;

/**
 * A 128-bit trace id as two longs: cheap to hash and compare on the assembly hot path.
 *
 * @param high the first 8 bytes, big-endian
 * @param low the last 8 bytes, big-endian
 */
public record TraceId(long high, long low) {

  /** From the 16 bytes of an OTLP trace id. */
  public static TraceId fromBytes(byte[] b) {
    if (b.length != 16) {
      throw new IllegalArgumentException("trace id must be 16 bytes, got " + b.length);
    }
    return new TraceId(readLong(b, 0), readLong(b, 8));
  }

  /** From 32 hex characters. */
  public static TraceId fromHex(String hex) {
    if (hex.length() != 32) {
      throw new IllegalArgumentException("trace id must be 32 hex characters, got " + hex);
    }
    return new TraceId(
        Long.parseUnsignedLong(hex.substring(0, 16), 16),
        Long.parseUnsignedLong(hex.substring(16), 16));
  }

  /** The 16 bytes of the OTLP trace id, big-endian: the Kafka record key of a span. */
  public byte[] toBytes() {
    byte[] b = new byte[16];
    writeLong(b, 0, high);
    writeLong(b, 8, low);
    return b;
  }

  /** True for the all-zero id, which OTLP reserves for "no trace". */
  public boolean isZero() {
    return high == 0 && low == 0;
  }

  static void writeLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long readLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xffL);
    }
    return v;
  }

  /** 32 lowercase hex characters, as OTLP/JSON and trace UIs show it. */
  public String toHex() {
    return String.format("%016x%016x", high, low);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
