package dev.tierscope.core.assembly;

/** Turns a current assembly snapshot into the bytes an older version wrote, for upgrade tests. */
final class SnapshotVersions {

  private SnapshotVersions() {}

  /** Bytes of stream continuity per key span in version 8 (gap long, stalls int, cause byte). */
  static final int CONTINUITY_BYTES = 8 + 4 + 1;

  /**
   * A version 9 snapshot of exactly one request (the pending list) written without early completion
   * (its early completion state is one byte, "parents unknown"), an empty evicted list and no
   * recently completed traces, as version 8 wrote it: without that byte at the end of the request.
   */
  static byte[] v9ToV8(byte[] v9) {
    if (v9[0] != AssemblySnapshotCodec.VERSION) {
      throw new IllegalArgumentException("not a version 9 snapshot");
    }
    // The end: the request's "parents unknown" byte, then the evicted list's count and the recent
    // traces' count, two ints of 0.
    if (v9[v9.length - 9] != 0) {
      throw new IllegalArgumentException("the request knows its parents (early completion on)");
    }
    byte[] v8 = new byte[v9.length - 1];
    System.arraycopy(v9, 0, v8, 0, v9.length - 9);
    System.arraycopy(v9, v9.length - 8, v8, v9.length - 9, 8);
    v8[0] = AssemblySnapshotCodec.VERSION_8;
    return v8;
  }

  /**
   * A current snapshot of exactly one request (the pending list) with {@code keySpans} key spans,
   * written without early completion, an empty evicted list and no recently completed traces, as
   * version 7 wrote it: without the early completion byte ({@link #v9ToV8}) and the continuity
   * block at the end of the request.
   */
  static byte[] v8ToV7(byte[] current, int keySpans) {
    byte[] v8 = v9ToV8(current);
    int cut = keySpans * CONTINUITY_BYTES;
    // The end: the evicted list's count and the recent traces' count, two ints of 0.
    byte[] v7 = new byte[v8.length - cut];
    System.arraycopy(v8, 0, v7, 0, v8.length - 8 - cut);
    System.arraycopy(v8, v8.length - 8, v7, v8.length - 8 - cut, 8);
    v7[0] = AssemblySnapshotCodec.VERSION_7;
    return v7;
  }
}
