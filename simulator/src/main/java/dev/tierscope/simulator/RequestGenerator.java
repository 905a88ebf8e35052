package dev.tierscope.simulator;

import dev.tierscope.sdk.ClientPath;
import dev.tierscope.sdk.InterruptionCause;
import dev.tierscope.sdk.Outcome;
import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.simulator.SimulatedRequest.Retrieval;
import dev.tierscope.simulator.SimulatedRequest.Step;
import dev.tierscope.simulator.SimulatedRequest.ToolCall;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Computes one request's timeline hop by hop from lognormal latency distributions, then adds the
 * active faults. Pure: the same seed, index, class, workflow, start and faults give the same
 * request.
 *
 * <p>The hops, in order, with their healthy distributions (median, log-sigma):
 *
 * <ul>
 *   <li>edge up: the client's round trip x LN(1, 0.25); edge down to the first byte: half a round
 *       trip x LN(1, 0.25); 20 packets on the critical path, each lost with 0.2%, and each
 *       retransmission costs LN(max(2 RTT, 120 ms), 0.4); 1% of HTTP/3 clients fall back to HTTP/2
 *       after LN(350 ms, 0.3);
 *   <li>gateway processing LN(6 ms, 0.5), policy check LN(10 ms, 0.5);
 *   <li>retrieval (RAG, batch) LN(45 ms, 0.5), hit 95%; a miss is served by the fallback path 85%
 *       of the time, costing LN(80 ms, 0.5) more;
 *   <li>tools (agent): 1-3 calls (premium), 2-4 (standard), 2-5 (batch), each LN(80 ms, 0.6) after
 *       a LN(4 ms, 0.5) orchestration gap; 0.2% time out at 1.5 s;
 *   <li>dispatch to the model LN(2 ms, 0.5); queue LN(15 ms, 0.7) premium, LN(40 ms, 0.8) standard,
 *       LN(1.5 s, 0.7) batch; prefill 0.05 ms per input token (0.12 ms on the batch model) x LN(1,
 *       0.2); input tokens LN(600) chat, LN(2500) RAG, LN(3000) agent, LN(12000) batch;
 *   <li>failover (faults only): a model call or a retrieval served from the secondary region pays
 *       the inter-region round trip LN(95 ms, 0.1) once (model) or once per backend call (three for
 *       a retrieval), see {@link Backend};
 *   <li>streaming: output tokens LN(250) chat, LN(300) RAG, LN(200) agent, LN(800) batch, each
 *       after an inter-token gap of LN(22 ms, 0.25) (LN(35 ms, 0.25) batch), token by token; the
 *       gateway relays each token in LN(2 ms, 0.5); 0.3% of streams break (the runtime resets 50%
 *       of them, the network 30%, a server error 20%), 1% are cancelled by the user;
 *   <li>stream continuity: the largest gap is the largest inter-token gap; 1.5% of the streams that
 *       complete stall on the client path once for LN(2 s, 0.35), 0.3% twice (a stall is a gap over
 *       the SDK's 1 s threshold; it delays the client's end, not the model); with an idle timeout
 *       ({@link SimulationConfig#idleTimeout}) a proxy cuts every stream still running at that time
 *       after the client sent it.
 * </ul>
 *
 * <p>The faults and what they add are described on {@link FaultKind}.
 */
final class RequestGenerator {

  static final String INTERACTIVE_MODEL = "llama-3.1-8b-instruct";
  static final String BATCH_MODEL = "llama-3.1-70b-instruct";
  static final long TOOL_TIMEOUT_MICROS = 1_500_000;
  static final int CRITICAL_PATH_PACKETS = 20;
  private static final String[] TOOL_NAMES = {
    "search", "calendar", "crm_lookup", "code_exec", "weather", "ticketing"
  };

  private static final Lognormal JITTER = new Lognormal(1, 0.25);
  private static final Lognormal FALLBACK_H3_DELAY = Lognormal.ofMillis(350, 0.3);
  private static final Lognormal GATEWAY = Lognormal.ofMillis(6, 0.5);
  private static final Lognormal POLICY = Lognormal.ofMillis(10, 0.5);
  private static final Lognormal RETRIEVAL = Lognormal.ofMillis(45, 0.5);
  private static final Lognormal RETRIEVAL_FALLBACK = Lognormal.ofMillis(80, 0.5);
  private static final Lognormal TOOL = Lognormal.ofMillis(80, 0.6);
  private static final Lognormal TOOL_GAP = Lognormal.ofMillis(4, 0.5);
  private static final Lognormal DISPATCH = Lognormal.ofMillis(2, 0.5);
  private static final Lognormal RELAY = Lognormal.ofMillis(2, 0.5);
  private static final Lognormal PREFILL_NOISE = new Lognormal(1, 0.2);
  private static final Lognormal ITL_INTERACTIVE = Lognormal.ofMillis(22, 0.25);
  private static final Lognormal ITL_BATCH = Lognormal.ofMillis(35, 0.25);

  private static final double HIT_RATE = 0.95;
  private static final double FALLBACK_RATE = 0.85;
  private static final double TOOL_TIMEOUT_RATE = 0.002;
  private static final double BASE_LOSS = 0.002;
  private static final double BASE_H3_FALLBACK = 0.01;
  private static final double BASE_INTERRUPTION = 0.003;
  private static final double CANCEL_RATE = 0.01;
  private static final double STALL_RATE = 0.015;
  private static final double DOUBLE_STALL_RATE = 0.003;
  private static final Lognormal STALL = Lognormal.ofMillis(2_000, 0.35);
  private static final long STALL_THRESHOLD_MICROS = 1_000_000;

  private final long seed;
  private final long idSeed;
  private final ClientPopulation clients;
  private final long idleTimeoutMicros;

  RequestGenerator(long seed, ClientPopulation clients) {
    this(seed, seed, clients, 0);
  }

  RequestGenerator(long seed, long idSeed, ClientPopulation clients) {
    this(seed, idSeed, clients, 0);
  }

  /**
   * @param idSeed seed of the trace ids only (the seed unless two runs of the same traffic must not
   *     share trace ids)
   */
  RequestGenerator(long seed, long idSeed, ClientPopulation clients, long idleTimeoutMicros) {
    this.seed = seed;
    this.idSeed = idSeed;
    this.clients = clients;
    this.idleTimeoutMicros = idleTimeoutMicros;
  }

  SimulatedRequest generate(
      long index, TrafficClass cls, Workflow workflow, long startMicros, List<FaultWindow> faults) {
    RequestPlan p = plan(index, cls, workflow, startMicros, faults);
    return p.complete(p.modelStartMicros + p.queueMicros, p.queueMicros, null, 0);
  }

  /**
   * Everything about a request except when the model serves it: the timeline up to the model, the
   * model's work (prefill, the stream's token gaps) and what follows it. {@link #generate} serves
   * it after its own queue time; a capacity-limited {@link ModelTier} serves it when a slot is
   * free.
   */
  RequestPlan plan(
      long index, TrafficClass cls, Workflow workflow, long startMicros, List<FaultWindow> faults) {
    boolean batch = cls == TrafficClass.DEFERRED_BATCH;
    SplittableRandom pick = Rng.stream(seed, index, Rng.PICK);
    SimClient client = batch ? clients.pickBatchWorker(pick) : clients.pickInteractive(pick);
    String traceId = traceId(Rng.stream(idSeed, index, Rng.IDS));

    // ---- edge: the way up to the gateway and the way back to the first byte
    SplittableRandom edge = Rng.stream(seed, index, Rng.EDGE);
    long rtt = client.rttMicros();
    long up = Math.round(rtt * JITTER.value(edge));
    long down = Math.round(0.5 * rtt * JITTER.value(edge));
    long downTail = Math.round(0.5 * rtt * JITTER.value(edge));
    Lognormal retransmitCost = new Lognormal(Math.max(2.0 * rtt, 120_000), 0.4);
    int retransmits = binomial(edge, CRITICAL_PATH_PACKETS, BASE_LOSS);
    for (int i = 0; i < retransmits; i++) {
      down += retransmitCost.sample(edge);
    }
    String protocol = client.protocolVersion();
    boolean protocolFallback = false;
    boolean baseFallback = edge.nextDouble() < BASE_H3_FALLBACK;
    long baseFallbackDelay = FALLBACK_H3_DELAY.sample(edge);
    if (client.http3() && baseFallback) {
      protocol = "2";
      protocolFallback = true;
      up += baseFallbackDelay;
    }

    double k = intensity(faults, FaultKind.EDGE_LATENCY);
    if (k > 0) {
      SplittableRandom f = Rng.fault(seed, index, FaultKind.EDGE_LATENCY);
      long extra = Math.round(k * (300_000 + Lognormal.ofMillis(150, 0.6).sample(f)));
      up += extra / 2;
      down += extra - extra / 2;
    }
    k = intensity(faults, FaultKind.EDGE_LOSS);
    if (k > 0) {
      SplittableRandom f = Rng.fault(seed, index, FaultKind.EDGE_LOSS);
      int extra = binomial(f, CRITICAL_PATH_PACKETS, Math.min(0.5, 0.03 * k));
      retransmits += extra;
      for (int i = 0; i < extra; i++) {
        down += retransmitCost.sample(f);
      }
    }
    k = intensity(faults, FaultKind.EDGE_VPN);
    if (k > 0 && client.path() == ClientPath.VPN) {
      SplittableRandom f = Rng.fault(seed, index, FaultKind.EDGE_VPN);
      long extra = Math.round(k * Lognormal.ofMillis(600, 0.4).sample(f));
      up += extra / 2;
      down += extra - extra / 2;
      int lost = binomial(f, CRITICAL_PATH_PACKETS, 0.01);
      retransmits += lost;
      for (int i = 0; i < lost; i++) {
        down += retransmitCost.sample(f);
      }
    }
    k = intensity(faults, FaultKind.EDGE_PROTOCOL_FALLBACK);
    if (k > 0 && client.http3() && !protocolFallback) {
      SplittableRandom f = Rng.fault(seed, index, FaultKind.EDGE_PROTOCOL_FALLBACK);
      if (f.nextDouble() < 0.8) {
        protocol = "2";
        protocolFallback = true;
        up += Math.round(k * FALLBACK_H3_DELAY.sample(f));
      }
    }
    k = intensity(faults, FaultKind.EDGE_MTU_BLACKHOLE);
    if (k > 0 && client.tunnelled()) {
      SplittableRandom f = Rng.fault(seed, index, FaultKind.EDGE_MTU_BLACKHOLE);
      down += Math.round(k * Lognormal.ofMillis(1200, 0.3).sample(f));
      retransmits += 2 + f.nextInt(3);
    }

    // ---- mesh: gateway, policy, retrieval, tools, dispatch
    SplittableRandom mesh = Rng.stream(seed, index, Rng.MESH);
    long gatewayStart = startMicros + up;
    long cursor = gatewayStart + GATEWAY.sample(mesh);

    long policy = POLICY.sample(mesh);
    k = intensity(faults, FaultKind.MESH_POLICY_LATENCY);
    if (k > 0) {
      SplittableRandom f = Rng.fault(seed, index, FaultKind.MESH_POLICY_LATENCY);
      policy += Math.round(k * Lognormal.ofMillis(500, 0.4).sample(f));
    }
    Step policyStep = new Step(cursor, cursor + policy);
    cursor += policy;

    Retrieval retrieval = null;
    if (workflow == Workflow.RAG || workflow == Workflow.BATCH_SUMMARISATION) {
      long r = RETRIEVAL.sample(mesh);
      boolean hit = mesh.nextDouble() < HIT_RATE;
      boolean fallback = mesh.nextDouble() < FALLBACK_RATE;
      long fallbackCost = RETRIEVAL_FALLBACK.sample(mesh);
      k = intensity(faults, FaultKind.MESH_RETRIEVAL_MISS);
      if (k > 0) {
        // The index is degraded: 60% of lookups miss, and the fallback path is congested.
        SplittableRandom f = Rng.fault(seed, index, FaultKind.MESH_RETRIEVAL_MISS);
        boolean forcedMiss = f.nextDouble() < 0.6;
        boolean forcedFallback = f.nextDouble() < 0.9;
        long congestedFallback = Math.round(k * Lognormal.ofMillis(500, 0.5).sample(f));
        if (forcedMiss && hit) {
          hit = false;
          fallback = forcedFallback;
        }
        fallbackCost = Math.max(fallbackCost, congestedFallback);
      }
      if (!hit && fallback) {
        r += fallbackCost;
      }
      k = intensity(faults, FaultKind.MESH_RETRIEVAL_SLOWDOWN);
      if (k > 0) {
        SplittableRandom f = Rng.fault(seed, index, FaultKind.MESH_RETRIEVAL_SLOWDOWN);
        r += Math.round(k * Lognormal.ofMillis(600, 0.4).sample(f));
      }
      Backend retriever = Backend.RETRIEVAL_PRIMARY;
      k = intensity(faults, FaultKind.RETRIEVAL_FAILOVER);
      if (k > 0) {
        SplittableRandom f = Rng.fault(seed, index, FaultKind.RETRIEVAL_FAILOVER);
        if (f.nextDouble() < Math.min(1, k)) {
          retriever = Backend.RETRIEVAL_SECONDARY;
          for (int i = 0; i < Backend.RETRIEVAL_ROUND_TRIPS; i++) {
            r += Backend.INTER_REGION_RTT.sample(f);
          }
        }
      }
      retrieval = new Retrieval(cursor, cursor + r, hit, !hit && fallback, retriever);
      cursor += r;
    }

    List<ToolCall> tools = new ArrayList<>();
    if (workflow == Workflow.AGENT) {
      int calls =
          switch (cls) {
            case INTERACTIVE_PREMIUM -> 1 + pick.nextInt(3);
            case STANDARD_INTERACTIVE -> 2 + pick.nextInt(3);
            case DEFERRED_BATCH -> 2 + pick.nextInt(4);
          };
      double timeoutIntensity = intensity(faults, FaultKind.MESH_TOOL_TIMEOUT);
      SplittableRandom f =
          timeoutIntensity > 0 ? Rng.fault(seed, index, FaultKind.MESH_TOOL_TIMEOUT) : null;
      for (int i = 0; i < calls; i++) {
        cursor += TOOL_GAP.sample(mesh);
        long d = TOOL.sample(mesh);
        boolean timedOut = mesh.nextDouble() < TOOL_TIMEOUT_RATE;
        if (f != null && f.nextDouble() < Math.min(0.95, 0.35 * timeoutIntensity)) {
          timedOut = true;
        }
        if (timedOut || d > TOOL_TIMEOUT_MICROS) {
          d = TOOL_TIMEOUT_MICROS;
          timedOut = true;
        }
        String name = TOOL_NAMES[pick.nextInt(TOOL_NAMES.length)];
        tools.add(new ToolCall(name, cursor, cursor + d, timedOut));
        cursor += d;
      }
    }
    cursor += DISPATCH.sample(mesh);
    long relayFirst = RELAY.sample(mesh);
    long relayLast = RELAY.sample(mesh);

    // ---- model: queue and prefill
    SplittableRandom model = Rng.stream(seed, index, Rng.MODEL);
    long modelStart = cursor;
    Lognormal queueDist =
        switch (cls) {
          case INTERACTIVE_PREMIUM -> Lognormal.ofMillis(15, 0.7);
          case STANDARD_INTERACTIVE -> Lognormal.ofMillis(40, 0.8);
          case DEFERRED_BATCH -> Lognormal.ofMillis(1500, 0.7);
        };
    long queue = queueDist.sample(model);
    long inputTokens = Math.min(120_000, Math.max(16, inputTokens(workflow).sample(model)));
    double microsPerToken = batch ? 120 : 50;
    long prefill = Math.round(inputTokens * microsPerToken * PREFILL_NOISE.value(model));
    long plannedOutput = Math.min(4096, Math.max(1, outputTokens(workflow).sample(model)));
    long faultQueue = 0;
    k = intensity(faults, FaultKind.MODEL_QUEUE_SATURATION);
    if (k > 0) {
      SplittableRandom f = Rng.fault(seed, index, FaultKind.MODEL_QUEUE_SATURATION);
      faultQueue = Math.round(k * (batch ? 3 : 1) * Lognormal.ofMillis(900, 0.5).sample(f));
      queue += faultQueue;
    }
    k = intensity(faults, FaultKind.MODEL_SLOW_PREFILL);
    if (k > 0) {
      prefill = Math.round(prefill * (1 + 4 * k));
    }
    Backend runtime = Backend.MODEL_PRIMARY;
    long modelNetwork = 0;
    k = intensity(faults, FaultKind.MODEL_FAILOVER);
    if (k > 0) {
      SplittableRandom f = Rng.fault(seed, index, FaultKind.MODEL_FAILOVER);
      if (f.nextDouble() < Math.min(1, k)) {
        // The call goes out and the first token comes back across the regions: one round trip.
        runtime = Backend.MODEL_SECONDARY;
        modelNetwork = Backend.INTER_REGION_RTT.sample(f);
      }
    }

    // ---- stream: token by token; a break or a cancel ends it early
    SplittableRandom stream = Rng.stream(seed, index, Rng.STREAM);
    boolean interrupted = stream.nextDouble() < BASE_INTERRUPTION;
    boolean cancelled = stream.nextDouble() < CANCEL_RATE;
    double stopFraction = stream.nextDouble();
    k = intensity(faults, FaultKind.STREAM_INTERRUPTION);
    if (k > 0 && !interrupted) {
      SplittableRandom f = Rng.fault(seed, index, FaultKind.STREAM_INTERRUPTION);
      interrupted = f.nextDouble() < Math.min(0.9, 0.08 * k);
    }
    Outcome outcome =
        interrupted ? Outcome.INTERRUPTED : cancelled ? Outcome.CANCELLED : Outcome.COMPLETED;
    long tokens = plannedOutput;
    if (outcome != Outcome.COMPLETED) {
      // It stops after the first token and before the last: tokens 1..n-1 were delivered.
      tokens = Math.max(1, 1 + (long) (stopFraction * (plannedOutput - 1)));
      tokens = Math.min(tokens, Math.max(1, plannedOutput - 1));
    }
    Lognormal itl = batch ? ITL_BATCH : ITL_INTERACTIVE;
    long decode = 0;
    long maxGap = -1;
    for (long t = 1; t < tokens; t++) {
      long gap = itl.sample(stream);
      decode += gap;
      maxGap = Math.max(maxGap, gap);
    }
    // ---- continuity: stalls on the client path, why a stream breaks
    SplittableRandom continuity = Rng.stream(seed, index, Rng.CONTINUITY);
    double stallDraw = continuity.nextDouble();
    int stallCount =
        outcome != Outcome.COMPLETED || tokens < 2
            ? 0
            : stallDraw < DOUBLE_STALL_RATE ? 2 : stallDraw < STALL_RATE ? 1 : 0;
    long stallMicros = 0;
    long maxStall = -1;
    int stalls = 0;
    for (int s = 0; s < stallCount; s++) {
      long stall = STALL.sample(continuity);
      stallMicros += stall;
      maxStall = Math.max(maxStall, stall);
      stalls += stall > STALL_THRESHOLD_MICROS ? 1 : 0;
    }
    double causeDraw = continuity.nextDouble();
    InterruptionCause cause = null;
    if (outcome == Outcome.INTERRUPTED) {
      cause =
          k > 0
              ? InterruptionCause.UPSTREAM_RESET
              : causeDraw < 0.5
                  ? InterruptionCause.UPSTREAM_RESET
                  : causeDraw < 0.8 ? InterruptionCause.NETWORK : InterruptionCause.SERVER_ERROR;
    }
    return new RequestPlan(
        index,
        traceId,
        cls,
        workflow,
        client,
        protocol,
        protocolFallback,
        retransmits,
        startMicros,
        gatewayStart,
        policyStep,
        retrieval,
        tools,
        batch ? BATCH_MODEL : INTERACTIVE_MODEL,
        runtime,
        modelNetwork,
        modelStart,
        queue,
        faultQueue,
        prefill,
        inputTokens,
        tokens,
        decode,
        outcome,
        relayFirst,
        relayLast,
        down,
        downTail,
        faults,
        maxGap,
        maxStall,
        stallMicros,
        stalls,
        cause,
        idleTimeoutMicros);
  }

  /**
   * The tokens of {@code plan}'s stream that reached the gateway by {@code elapsedMicros} after its
   * first token, with its model time scaled by {@code factor}: the stream's token gaps drawn again
   * from the request's own random stream.
   */
  long tokensWithin(RequestPlan plan, long elapsedMicros, double factor) {
    SplittableRandom stream = Rng.stream(seed, plan.index, Rng.STREAM);
    stream.nextDouble(); // interrupted
    stream.nextDouble(); // cancelled
    stream.nextDouble(); // where it stops
    Lognormal itl = plan.trafficClass == TrafficClass.DEFERRED_BATCH ? ITL_BATCH : ITL_INTERACTIVE;
    long tokens = 1;
    long at = 0;
    for (long t = 1; t < plan.tokens; t++) {
      at += Math.round(itl.sample(stream) * factor);
      if (at > elapsedMicros) {
        break;
      }
      tokens++;
    }
    return tokens;
  }

  private static Lognormal inputTokens(Workflow workflow) {
    return switch (workflow) {
      case CHAT -> new Lognormal(600, 0.6);
      case RAG -> new Lognormal(2500, 0.4);
      case AGENT -> new Lognormal(3000, 0.5);
      case BATCH_SUMMARISATION -> new Lognormal(12_000, 0.5);
    };
  }

  private static Lognormal outputTokens(Workflow workflow) {
    return switch (workflow) {
      case CHAT -> new Lognormal(250, 0.6);
      case RAG -> new Lognormal(300, 0.5);
      case AGENT -> new Lognormal(200, 0.6);
      case BATCH_SUMMARISATION -> new Lognormal(800, 0.4);
    };
  }

  /** Sum of the intensities of the active windows of {@code kind}; 0 when none is active. */
  static double intensity(List<FaultWindow> faults, FaultKind kind) {
    double k = 0;
    for (FaultWindow w : faults) {
      if (w.kind() == kind) {
        k += w.intensity();
      }
    }
    return k;
  }

  private static int binomial(SplittableRandom r, int n, double p) {
    int hits = 0;
    for (int i = 0; i < n; i++) {
      if (r.nextDouble() < p) {
        hits++;
      }
    }
    return hits;
  }

  private static String traceId(SplittableRandom r) {
    long hi = r.nextLong();
    long lo = r.nextLong();
    if (hi == 0 && lo == 0) {
      lo = 1; // an all-zero trace id is invalid
    }
    byte[] bytes = new byte[16];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (hi >>> (56 - 8 * i));
      bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    return HexFormat.of().formatHex(bytes);
  }
}
