package dev.tierscope.core.assembly;

import dev.tierscope.core.span.TraceId;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The traces a partition completed recently, so that a span arriving after its request was emitted
 * (a late child, or a client's retried batch, also after a restart or a rebalance) does not start a
 * second request. Membership is O(1) (open addressing on the 128-bit id); entries leave in the
 * order they came, once the time they are remembered from (the latest span end of their trace, or
 * the stream time they completed at when later) is further behind stream time than the allowed
 * lateness (from then on the lateness rule catches every span of them that ended by then) or when
 * more than the cap are held.
 *
 * <p>Why in the snapshot: a client retries a batch it got no answer for, and the aggregator may
 * have restarted meanwhile. Without these ids the retried spans would start new, partial requests
 * and be counted twice. They are written as one block of fixed-size entries (trace id and latest
 * end, 24 bytes each), so a snapshot costs a memory copy per entry, not an object per entry.
 *
 * <p>Not thread-safe: one partition, one thread.
 */
final class RecentTraces {

  static final int ENTRY_BYTES = 24;

  // The set: (hi, lo) pairs, (0, 0) marks a free slot (trace ids are never zero).
  private long[] hi = new long[64];
  private long[] lo = new long[64];
  private int size;

  // The order of arrival: a ring of (hi, lo, latest end).
  private long[] ring = new long[3 * 64];
  private int head;

  boolean contains(TraceId id) {
    return slotOf(id.high(), id.low()) >= 0;
  }

  /**
   * Remembers a completed trace until stream time passes {@code lastEndMicros} (epoch microseconds)
   * by more than the allowed lateness.
   */
  void add(TraceId id, long lastEndMicros) {
    long h = id.high();
    long l = id.low();
    if ((h == 0 && l == 0) || slotOf(h, l) >= 0) {
      return;
    }
    if (size * 2 >= hi.length) {
      rehash(hi.length * 2);
    }
    insert(h, l);
    if (3 * size > ring.length) {
      growRing();
    }
    int tail = (head + 3 * (size - 1)) % ring.length;
    ring[tail] = h;
    ring[tail + 1] = l;
    ring[tail + 2] = lastEndMicros;
  }

  /**
   * Forgets, oldest first, the traces whose latest end is before {@code endBeforeMicros}, and any
   * beyond {@code maxSize}; stops at the first one that is still needed (arrival order is close to
   * end order, so a straggler only keeps a few others a little longer).
   */
  void evict(long endBeforeMicros, int maxSize) {
    while (size > 0 && (size > maxSize || ring[head + 2] < endBeforeMicros)) {
      remove(ring[head], ring[head + 1]);
      head = (head + 3) % ring.length;
    }
    if (size == 0) {
      head = 0;
    }
  }

  int size() {
    return size;
  }

  void clear() {
    hi = new long[64];
    lo = new long[64];
    ring = new long[3 * 64];
    size = 0;
    head = 0;
  }

  /** Writes the count and the entries in arrival order. */
  void write(DataOutputStream out) throws IOException {
    out.writeInt(size);
    ByteBuffer b = ByteBuffer.allocate(size * ENTRY_BYTES);
    for (int i = 0, at = head; i < size; i++, at = (at + 3) % ring.length) {
      b.putLong(ring[at]).putLong(ring[at + 1]).putLong(ring[at + 2]);
    }
    out.write(b.array());
  }

  /** Replaces the content with what {@link #write} wrote. */
  void read(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 50_000_000) {
      throw new IOException("recent trace count out of range: " + n);
    }
    byte[] bytes = new byte[n * ENTRY_BYTES];
    in.readFully(bytes);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    clear();
    for (int i = 0; i < n; i++) {
      long h = b.getLong();
      long l = b.getLong();
      long end = b.getLong();
      if (h == 0 && l == 0) {
        throw new IOException("recent trace id is zero");
      }
      add(new TraceId(h, l), end);
    }
  }

  // ---- the hash set

  private int slotOf(long h, long l) {
    int mask = hi.length - 1;
    for (int i = index(h, l) & mask; ; i = (i + 1) & mask) {
      if (hi[i] == h && lo[i] == l) {
        return (h == 0 && l == 0) ? -1 : i;
      }
      if (hi[i] == 0 && lo[i] == 0) {
        return -1;
      }
    }
  }

  private void insert(long h, long l) {
    int mask = hi.length - 1;
    int i = index(h, l) & mask;
    while (hi[i] != 0 || lo[i] != 0) {
      i = (i + 1) & mask;
    }
    hi[i] = h;
    lo[i] = l;
    size++;
  }

  /** Removes by backward shift, so that no tombstones slow later lookups. */
  private void remove(long h, long l) {
    int slot = slotOf(h, l);
    if (slot < 0) {
      return;
    }
    int mask = hi.length - 1;
    int gap = slot;
    for (int i = (gap + 1) & mask; hi[i] != 0 || lo[i] != 0; i = (i + 1) & mask) {
      int home = index(hi[i], lo[i]) & mask;
      // Move the entry into the gap unless its home lies cyclically in (gap, i].
      boolean stays = gap <= i ? (home > gap && home <= i) : (home > gap || home <= i);
      if (!stays) {
        hi[gap] = hi[i];
        lo[gap] = lo[i];
        gap = i;
      }
    }
    hi[gap] = 0;
    lo[gap] = 0;
    size--;
  }

  private void rehash(int capacity) {
    long[] oldHi = hi;
    long[] oldLo = lo;
    hi = new long[capacity];
    lo = new long[capacity];
    int n = size;
    size = 0;
    for (int i = 0; i < oldHi.length; i++) {
      if (oldHi[i] != 0 || oldLo[i] != 0) {
        insert(oldHi[i], oldLo[i]);
      }
    }
    assert size == n;
  }

  private void growRing() {
    long[] bigger = new long[ring.length * 2];
    int entries = size - 1; // the one being added is not in the ring yet
    for (int i = 0, at = head; i < entries; i++, at = (at + 3) % ring.length) {
      bigger[3 * i] = ring[at];
      bigger[3 * i + 1] = ring[at + 1];
      bigger[3 * i + 2] = ring[at + 2];
    }
    ring = bigger;
    head = 0;
  }

  private static int index(long h, long l) {
    long x = (h ^ Long.rotateLeft(l, 29)) * 0x9E3779B97F4A7C15L;
    return (int) (x ^ (x >>> 32));
  }
}
