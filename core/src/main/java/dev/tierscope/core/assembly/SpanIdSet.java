package dev.tierscope.core.assembly;

import java.util.Arrays;

/**
 * The span ids already added to one request: an open-addressing hash set of longs, so that telling
 * a retried span from a new one costs O(1) however large the trace (a scan of a 10 000-span trace
 * would cost 10 000 comparisons per span). Span ids are never 0, which marks a free slot.
 *
 * <p>Small on purpose: 16 slots to start by default (room for 8 ids; most requests have fewer
 * spans), doubled at half full. Not thread-safe.
 */
final class SpanIdSet {

  private long[] slots;
  private int size;

  SpanIdSet() {
    this(16);
  }

  /**
   * A set starting with {@code slots} slots, a power of two (half of them usable before growing).
   */
  SpanIdSet(int slots) {
    if (slots < 2 || Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of two >= 2, was " + slots);
    }
    this.slots = new long[slots];
  }

  /** True when {@code id} was added. */
  boolean contains(long id) {
    int mask = slots.length - 1;
    for (int i = mix(id) & mask; ; i = (i + 1) & mask) {
      long s = slots[i];
      if (s == id) {
        return true;
      }
      if (s == 0) {
        return false;
      }
    }
  }

  /** Adds {@code id} (never 0); false when it was there already. */
  boolean add(long id) {
    if (size * 2 >= slots.length) {
      grow();
    }
    int mask = slots.length - 1;
    for (int i = mix(id) & mask; ; i = (i + 1) & mask) {
      long s = slots[i];
      if (s == id) {
        return false;
      }
      if (s == 0) {
        slots[i] = id;
        size++;
        return true;
      }
    }
  }

  int size() {
    return size;
  }

  /** The ids, in no particular order. */
  long[] toArray() {
    long[] out = new long[size];
    int n = 0;
    for (long s : slots) {
      if (s != 0) {
        out[n++] = s;
      }
    }
    return out;
  }

  /** Writes the count and the ids in the order of {@link #toArray}, without copying them. */
  void writeTo(java.io.DataOutputStream out) throws java.io.IOException {
    out.writeInt(size);
    for (long s : slots) {
      if (s != 0) {
        out.writeLong(s);
      }
    }
  }

  private void grow() {
    long[] old = slots;
    slots = new long[old.length * 2];
    size = 0;
    for (long s : old) {
      if (s != 0) {
        add(s);
      }
    }
  }

  /** Spreads the bits: span ids from some SDKs are sequential. */
  static int mix(long id) {
    long h = id * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  @Override
  public String toString() {
    long[] ids = toArray();
    Arrays.sort(ids);
    return Arrays.toString(ids);
  }
}
