package dev.tierscope.core.assembly;

/** Turns a current assembly snapshot into the bytes an older version wrote, for upgrade tests. */
final class SnapshotVersions {

  private SnapshotVersions() {}

  /** Bytes of stream continuity per key span in version 8 (gap long, stalls int, cause byte). */
  static final int CONTINUITY_BYTES = 8 + 4 + 1;

  /**
   * A version 8 snapshot of exactly one request (the pending list) with {@code keySpans} key spans,
   * an empty evicted list and no recently completed traces, as version 7 wrote it: without the
   * continuity block at the end of the request.
   */
  static byte[] v8ToV7(byte[] v7, int keySpans) {
    if (v7[0] != AssemblySnapshotCodec.VERSION) {
      throw new IllegalArgumentException("not a version 8 snapshot");
    }
    int cut = keySpans * CONTINUITY_BYTES;
    // The end: the evicted list's count and the recent traces' count, two ints of 0.
    byte[] v6out = new byte[v7.length - cut];
    System.arraycopy(v7, 0, v6out, 0, v7.length - 8 - cut);
    System.arraycopy(v7, v7.length - 8, v6out, v7.length - 8 - cut, 8);
    v6out[0] = AssemblySnapshotCodec.VERSION_7;
    return v6out;
  }
}
