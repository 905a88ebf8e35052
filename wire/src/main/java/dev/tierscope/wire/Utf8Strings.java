package dev.tierscope.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Arrays;

/**
 * The strings of a span's low-cardinality fields (tenant, service, class, workflow, tool, model,
 * ...) read from their UTF-8 bytes through a small cache keyed on those bytes: the same few values
 * repeat in every record, so a hit costs a hash and a compare of a few bytes instead of a UTF-8
 * decode and a new {@code String} per field, and the {@code String} handed out already carries its
 * hash code for the maps downstream.
 *
 * <p>Why bytes as the key: a value is only ever cached after it was decoded and checked to be valid
 * UTF-8, so identical bytes are the same valid string; invalid bytes never enter and are refused as
 * the generated parser refuses them.
 *
 * <p>Bounded: {@value #SLOTS} direct-mapped slots of values up to {@value #MAX_CACHED_BYTES} bytes
 * (at most about 200 KB); a collision simply replaces the slot. Safe from any thread without a
 * lock: a slot holds an immutable entry (final fields), so a racing reader sees a whole entry or
 * another one, and a miss only costs the decode it would have cost anyway.
 */
final class Utf8Strings {

  static final int SLOTS = 1024;
  static final int MAX_CACHED_BYTES = 64;

  private record Entry(byte[] bytes, int hash, String value) {}

  private final Entry[] slots = new Entry[SLOTS];

  /**
   * The string of {@code length} bytes at {@code offset}.
   *
   * @throws InvalidProtocolBufferException when they are not valid UTF-8
   */
  String get(byte[] buffer, int offset, int length) throws InvalidProtocolBufferException {
    if (length == 0) {
      return "";
    }
    if (length > MAX_CACHED_BYTES) {
      return decode(buffer, offset, length);
    }
    int hash = hash(buffer, offset, length);
    int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
    Entry e = slots[slot];
    if (e != null
        && e.hash == hash
        && Arrays.equals(e.bytes, 0, e.bytes.length, buffer, offset, offset + length)) {
      return e.value;
    }
    String value = decode(buffer, offset, length);
    slots[slot] = new Entry(Arrays.copyOfRange(buffer, offset, offset + length), hash, value);
    return value;
  }

  private static String decode(byte[] buffer, int offset, int length)
      throws InvalidProtocolBufferException {
    ByteString bytes = ByteString.copyFrom(buffer, offset, length);
    if (!bytes.isValidUtf8()) {
      // The generated parser's words for the same failure.
      throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
    }
    return bytes.toStringUtf8();
  }

  private static int hash(byte[] buffer, int offset, int length) {
    int h = 1;
    for (int i = offset, end = offset + length; i < end; i++) {
      h = 31 * h + buffer[i];
    }
    return h;
  }
}
