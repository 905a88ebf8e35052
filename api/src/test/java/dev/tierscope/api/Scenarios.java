package dev.tierscope.api;

import dev.tierscope.core.assembly.MeshRole;
import dev.tierscope.core.span.StreamOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The generated traffic the API tests read back: a day of one tenant's windows, a budget burn, and
 * four attribution cases. Every value is kept as ground truth.
 */
final class Scenarios {

  /** The tests' "now": the fixed clock of the api under test, a whole hour. */
  static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

  static final String PREMIUM = "interactive_premium";
  static final String STANDARD = "standard_interactive";
  static final String BATCH = "deferred_batch";

  /** Premium objectives of the test configuration: thresholds between any fixed bucket edges. */
  static final long PREMIUM_TTFT_MICROS = 737_000;

  static final long PREMIUM_TOOLCHAIN_MICROS = 2_345_000;

  static final String[] WORKFLOWS = {"chat", "rag", "agent"};

  private Scenarios() {}

  /** TTFT threshold per class in the test configuration (microseconds). */
  static long ttftThresholdMicros(String cls) {
    return switch (cls) {
      case PREMIUM -> PREMIUM_TTFT_MICROS;
      case STANDARD -> 1_500_000;
      default -> 30_000_000;
    };
  }

  static long toolchainThresholdMicros(String cls) {
    return switch (cls) {
      case PREMIUM -> PREMIUM_TOOLCHAIN_MICROS;
      case STANDARD -> 6_000_000;
      default -> 60_000_000;
    };
  }

  static double lognormal(SplittableRandom random, double median, double sigma) {
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return median * Math.exp(sigma * z);
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }

  /** A healthy request of a class at {@code eventMicros}: typical components, tokens, outcomes. */
  static Req healthy(SplittableRandom rnd, String tenant, String cls, long eventMicros) {
    Req r = new Req();
    r.tenant = tenant;
    r.trafficClass = cls;
    r.eventMicros = eventMicros;
    double u = rnd.nextDouble();
    r.workflow = u < 0.5 ? "chat" : u < 0.8 ? "rag" : "agent";
    r.client = rnd.nextDouble() < 0.9;
    double scale = cls.equals(PREMIUM) ? 1 : cls.equals(STANDARD) ? 1.5 : 6;
    r.edge = (long) lognormal(rnd, 40_000, 0.6);
    r.mesh = (long) lognormal(rnd, 60_000, 0.6);
    r.queue = (long) (scale * lognormal(rnd, 30_000, 0.8));
    r.model = r.queue + (long) (scale * lognormal(rnd, 200_000, 0.4));
    double p = rnd.nextDouble();
    r.clientPath = p < 0.6 ? "direct" : p < 0.8 ? "vpn" : p < 0.95 ? "mobile" : "sase";
    r.retransmits = rnd.nextDouble() < 0.1 ? 1 : 0;
    r.protocolFallback = rnd.nextDouble() < 0.02;
    r.streamed = rnd.nextDouble() < 0.95;
    double s = rnd.nextDouble();
    r.outcome =
        s < 0.004
            ? StreamOutcome.INTERRUPTED
            : s < 0.02 ? StreamOutcome.CANCELLED : StreamOutcome.COMPLETED;
    r.inputTokens = 200 + rnd.nextInt(3800);
    r.outputTokens = 50 + rnd.nextInt(950);
    switch (r.workflow) {
      case "rag" -> {
        r.role = MeshRole.RETRIEVAL;
        r.mesh += (long) lognormal(rnd, 80_000, 0.5);
        r.retrievals = 1 + rnd.nextInt(3);
        for (int i = 0; i < r.retrievals; i++) {
          if (rnd.nextDouble() < 0.06) {
            r.misses++;
            if (rnd.nextDouble() < 0.25) {
              r.fallbacks++;
            }
          }
        }
      }
      case "agent" -> {
        r.role = MeshRole.TOOL;
        r.toolCalls = 1 + rnd.nextInt(4);
        r.toolchain = (long) lognormal(rnd, 1_000_000, 0.45);
        r.toolFailed = rnd.nextDouble() < 0.015;
      }
      default -> r.role = rnd.nextDouble() < 0.3 ? MeshRole.POLICY : MeshRole.NONE;
    }
    return r;
  }

  /**
   * Moves a request's TTFT and tool chain out of the 1% band around its class's thresholds, where
   * HdrHistogram at 2 digits could not tell "at or under" from "over": then good ratios are exact.
   */
  static Req clearOfThresholds(Req r) {
    long t = ttftThresholdMicros(r.trafficClass);
    long ttft = r.ttft();
    if (ttft >= t * 0.985 && ttft <= t * 1.015) {
      r.mesh += (long) (t * 0.03);
    }
    long tc = toolchainThresholdMicros(r.trafficClass);
    if (r.toolchain >= tc * 0.985 && r.toolchain <= tc * 1.015) {
      r.toolchain += (long) (tc * 0.03);
    }
    return r;
  }

  /**
   * Tenant {@code day}: 24 h up to {@link #NOW} of premium 10 s windows (1 to 3 requests, mesh time
   * following the hour of day so steps differ), in every window of the first and the last three
   * hours and in one window a minute between (to keep the fill short), and standard windows every 5
   * minutes.
   */
  static List<Req> day() {
    SplittableRandom rnd = new SplittableRandom(2026);
    List<Req> out = new ArrayList<>();
    Instant start = NOW.minus(Duration.ofDays(1));
    Instant denseStart = start.plus(Duration.ofHours(1));
    Instant denseEnd = NOW.minus(Duration.ofHours(3));
    for (Instant w = start; w.isBefore(NOW); w = w.plusSeconds(10)) {
      boolean sparse = !w.isBefore(denseStart) && w.isBefore(denseEnd);
      if (sparse && w.getEpochSecond() % 60 != 30) {
        continue;
      }
      int n = 1 + rnd.nextInt(3);
      double hour = (w.getEpochSecond() % 86_400) / 3600.0;
      double load = 1 + 0.6 * Math.sin(hour / 24 * 2 * Math.PI);
      for (int i = 0; i < n; i++) {
        Req r = healthy(rnd, "day", PREMIUM, micros(w) + rnd.nextLong(10_000_000));
        r.mesh = (long) (r.mesh * load);
        out.add(clearOfThresholds(r));
      }
      if (w.getEpochSecond() % 300 == 0) {
        for (int i = 0; i < 3; i++) {
          out.add(
              clearOfThresholds(
                  healthy(rnd, "day", STANDARD, micros(w) + rnd.nextLong(10_000_000))));
        }
      }
    }
    return out;
  }

  /**
   * Tenant {@code burn}, 3 days up to {@link #NOW}, one window a minute for the last 6 h (5
   * requests) and one every 10 minutes before (50 requests), so the rate per hour is even.
   *
   * <ul>
   *   <li>premium: 1 request in 100 over the TTFT threshold, then every request for the last 50
   *       minutes: a fast burn (page 1h/5m only);
   *   <li>standard: 1 stream in 25 interrupted throughout (4 times the 1% allowed): a slow burn
   *       (both tickets, no page);
   *   <li>batch: healthy.
   * </ul>
   */
  static List<Req> burn() {
    SplittableRandom rnd = new SplittableRandom(77);
    List<Req> out = new ArrayList<>();
    for (String cls : new String[] {PREMIUM, STANDARD, BATCH}) {
      long n = 0;
      Instant start = NOW.minus(Duration.ofDays(3));
      Instant dense = NOW.minus(Duration.ofHours(6));
      Instant fast = NOW.minus(Duration.ofMinutes(50));
      for (Instant w = start; w.isBefore(NOW); ) {
        boolean sparse = w.isBefore(dense);
        int k = sparse ? 50 : 5;
        for (int i = 0; i < k; i++, n++) {
          Req r = healthy(rnd, "burn", cls, micros(w) + rnd.nextLong(10_000_000));
          r.streamed = true;
          r.outcome = StreamOutcome.COMPLETED;
          r.mesh = 50_000;
          r.edge = 40_000;
          r.model = 200_000;
          r.queue = 20_000;
          r.toolFailed = false;
          r.toolchain = Math.min(r.toolchain, 1_000_000);
          r.fallbacks = 0;
          switch (cls) {
            case PREMIUM -> {
              if (!w.isBefore(fast)) {
                r.mesh = 1_300_000;
              } else if (n % 100 == 0) {
                r.mesh = 900_000;
              }
            }
            case STANDARD -> {
              if (n % 25 == 0) {
                r.outcome = StreamOutcome.INTERRUPTED;
              }
            }
            default -> {
              if (n % 200 == 0) {
                r.outcome = StreamOutcome.INTERRUPTED;
              }
            }
          }
          out.add(r);
        }
        w = w.plusSeconds(sparse ? 600 : 60);
      }
    }
    return out;
  }

  /** Start of the attribution range ([from, from + 1h)); its baseline is the hour before. */
  static final Instant ATTRIBUTION_FROM = NOW.minus(Duration.ofHours(3));

  /**
   * An attribution case: 2 h of premium traffic (a window every minute, 16 requests) whose second
   * hour gets {@code slowdown} applied.
   */
  static List<Req> attribution(String tenant, long seed, Consumer<Req> slowdown) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Req> out = new ArrayList<>();
    Instant start = ATTRIBUTION_FROM.minus(Duration.ofHours(1));
    Instant end = ATTRIBUTION_FROM.plus(Duration.ofHours(1));
    for (Instant w = start; w.isBefore(end); w = w.plusSeconds(60)) {
      for (int i = 0; i < 16; i++) {
        Req r = healthy(rnd, tenant, PREMIUM, micros(w) + rnd.nextLong(10_000_000));
        r.client = rnd.nextDouble() < 0.95;
        if (!w.isBefore(ATTRIBUTION_FROM)) {
          slowdown.accept(r);
        }
        out.add(r);
      }
    }
    return out;
  }

  /** Edge: clients on the VPN path get a slow transport (+900 ms, retransmits, fallbacks). */
  static void slowVpn(Req r) {
    if (r.clientPath.equals("vpn")) {
      r.edge += 900_000;
      r.retransmits += 4;
      r.protocolFallback = r.eventMicros % 2 == 0;
    }
  }

  /** Mesh: retrieval got slow (+700 ms on requests that retrieve). */
  static void slowRetrieval(Req r) {
    if (r.retrievals > 0) {
      r.mesh += 700_000;
    }
  }

  /** Model: the queue saturated (+800 ms queue time on every request). */
  static void saturatedQueue(Req r) {
    r.queue += 800_000;
    r.model += 800_000;
  }
}
