package dev.tierscope.simulator;

import java.util.SplittableRandom;

/**
 * Independent random streams derived from the run's seed, one per (request, purpose).
 *
 * <p>Why per purpose: a fault draws from its own stream, and each tier's baseline latencies from
 * theirs, so the same seed with and without a fault gives the very same baseline for every request
 * and only the faulted component differs. That makes runs comparable request by request, and the
 * ground truth reproducible from the seed alone.
 */
final class Rng {

  static final long ARRIVALS = 1;
  static final long CHOICE = 2;
  static final long EDGE = 3;
  static final long MESH = 4;
  static final long MODEL = 5;
  static final long STREAM = 6;
  static final long IDS = 7;
  static final long CLIENTS = 8;
  static final long PICK = 9;

  /** Stalls on the client path and why a stream breaks (drawn apart: the baseline stays). */
  static final long CONTINUITY = 10;

  private static final long FAULT_BASE = 100;

  private Rng() {}

  /** The stream of {@code purpose} for request {@code index} (use -1 for run-wide streams). */
  static SplittableRandom stream(long seed, long index, long purpose) {
    long h = mix(seed);
    h = mix(h ^ (index * 0x9E3779B97F4A7C15L));
    h = mix(h ^ (purpose * 0xC2B2AE3D27D4EB4FL));
    return new SplittableRandom(h);
  }

  /** The stream for the effects of {@code fault} on request {@code index}. */
  static SplittableRandom fault(long seed, long index, FaultKind fault) {
    return stream(seed, index, FAULT_BASE + fault.ordinal());
  }

  /** MurmurHash3's 64-bit finaliser: spreads every input bit over the output. */
  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
