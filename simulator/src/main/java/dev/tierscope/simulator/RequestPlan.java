package dev.tierscope.simulator;

import dev.tierscope.sdk.Admission;
import dev.tierscope.sdk.InterruptionCause;
import dev.tierscope.sdk.Outcome;
import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.simulator.SimulatedRequest.ModelCall;
import dev.tierscope.simulator.SimulatedRequest.Retrieval;
import dev.tierscope.simulator.SimulatedRequest.Step;
import dev.tierscope.simulator.SimulatedRequest.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * A request before the model serves it: its timeline up to the model, the model's work and what
 * follows the model, all generated from the seed. {@link #complete} turns it into a {@link
 * SimulatedRequest} once the time the model starts serving it is known; {@link #refused} when the
 * gateway turns it away. Times are epoch microseconds, durations microseconds.
 */
final class RequestPlan {

  /** A request's model time at degradation levels 0-3 (1, 0.8, 0.6, 0.4 of it). */
  static final double[] DEGRADED_MODEL_TIME = {1.0, 0.8, 0.6, 0.4};

  /** How long the gateway takes to answer a request it does not serve. */
  static final long REFUSAL_MICROS = 1_000;

  final long index;
  final String traceId;
  final TrafficClass trafficClass;
  final Workflow workflow;
  final SimClient client;
  final String protocolVersion;
  final boolean protocolFallback;
  final int retransmits;
  final long startMicros;
  final long gatewayStartMicros;
  final Step policy;
  final Retrieval retrieval;
  final List<ToolCall> tools;
  final String model;

  /** The model runtime that serves it. */
  final Backend modelBackend;

  /** The round trip to {@link #modelBackend} when it runs in another region, else 0. */
  final long modelNetworkMicros;

  /** The request reaches the model (the model span starts). */
  final long modelStartMicros;

  /** Queue time of a model without a capacity limit: its own queue plus any injected saturation. */
  final long queueMicros;

  /** Of {@link #queueMicros}, what an injected queue-saturation fault adds. */
  final long faultQueueMicros;

  final long prefillMicros;
  final long inputTokens;
  final long tokens;

  /** First token to last token. */
  final long decodeMicros;

  final Outcome outcome;
  final long relayFirstMicros;
  final long relayLastMicros;
  final long downMicros;
  final long downTailMicros;
  final List<FaultWindow> faults;

  /** The largest inter-token gap of the stream at level 0, -1 for a single token. */
  final long maxGapMicros;

  /** The longest stall on the client path, -1 without one. */
  final long maxStallMicros;

  /** The stalls' total, added to the client's end. */
  final long stallMicros;

  /** Stalls longer than the SDK's stall threshold. */
  final int stalls;

  /** Why the planned interruption happens; null unless {@link #outcome} is interrupted. */
  final InterruptionCause cause;

  /** A proxy cuts the client's stream this long after its start; 0 for no such proxy. */
  final long idleTimeoutMicros;

  RequestPlan(
      long index,
      String traceId,
      TrafficClass trafficClass,
      Workflow workflow,
      SimClient client,
      String protocolVersion,
      boolean protocolFallback,
      int retransmits,
      long startMicros,
      long gatewayStartMicros,
      Step policy,
      Retrieval retrieval,
      List<ToolCall> tools,
      String model,
      Backend modelBackend,
      long modelNetworkMicros,
      long modelStartMicros,
      long queueMicros,
      long faultQueueMicros,
      long prefillMicros,
      long inputTokens,
      long tokens,
      long decodeMicros,
      Outcome outcome,
      long relayFirstMicros,
      long relayLastMicros,
      long downMicros,
      long downTailMicros,
      List<FaultWindow> faults,
      long maxGapMicros,
      long maxStallMicros,
      long stallMicros,
      int stalls,
      InterruptionCause cause,
      long idleTimeoutMicros) {
    this.index = index;
    this.traceId = traceId;
    this.trafficClass = trafficClass;
    this.workflow = workflow;
    this.client = client;
    this.protocolVersion = protocolVersion;
    this.protocolFallback = protocolFallback;
    this.retransmits = retransmits;
    this.startMicros = startMicros;
    this.gatewayStartMicros = gatewayStartMicros;
    this.policy = policy;
    this.retrieval = retrieval;
    this.tools = tools;
    this.model = model;
    this.modelBackend = modelBackend;
    this.modelNetworkMicros = modelNetworkMicros;
    this.modelStartMicros = modelStartMicros;
    this.queueMicros = queueMicros;
    this.faultQueueMicros = faultQueueMicros;
    this.prefillMicros = prefillMicros;
    this.inputTokens = inputTokens;
    this.tokens = tokens;
    this.decodeMicros = decodeMicros;
    this.outcome = outcome;
    this.relayFirstMicros = relayFirstMicros;
    this.relayLastMicros = relayLastMicros;
    this.downMicros = downMicros;
    this.downTailMicros = downTailMicros;
    this.faults = faults;
    this.maxGapMicros = maxGapMicros;
    this.maxStallMicros = maxStallMicros;
    this.stallMicros = stallMicros;
    this.stalls = stalls;
    this.cause = cause;
    this.idleTimeoutMicros = idleTimeoutMicros;
  }

  /** The model time of a request served at {@code level} (prefill and stream scaled). */
  static double factor(int level) {
    return DEGRADED_MODEL_TIME[level];
  }

  /** Prefill at {@code level}. */
  long prefillMicros(int level) {
    return Math.round(prefillMicros * factor(level));
  }

  /** Prefill plus the stream at {@code level}: how long the request holds a model slot. */
  long serviceMicros(int level) {
    return prefillMicros(level) + Math.round(decodeMicros * factor(level));
  }

  /**
   * The request served from {@code serviceStartMicros} at degradation {@code level}.
   *
   * @param queueMicros time queued before prefill, reported on the model span
   * @param admission what the gateway recorded, null without admission control
   */
  SimulatedRequest complete(
      long serviceStartMicros, long queueMicros, Admission admission, int level) {
    long modelFirst = serviceStartMicros + prefillMicros(level) + modelNetworkMicros;
    long modelEnd = modelFirst + Math.round(decodeMicros * factor(level));
    return served(
        queueMicros, modelFirst, modelEnd, tokens, outcome, cause, admission, level, true);
  }

  /**
   * The request served from {@code serviceStartMicros} and cancelled at {@code atMicros}, after its
   * first token: its stream ends there as interrupted.
   *
   * @param tokensDelivered tokens the stream produced by then
   */
  SimulatedRequest cancelled(
      long serviceStartMicros,
      long queueMicros,
      int level,
      long atMicros,
      long tokensDelivered,
      Admission admission) {
    long modelFirst = serviceStartMicros + prefillMicros(level) + modelNetworkMicros;
    return served(
        queueMicros,
        modelFirst,
        Math.max(modelFirst, atMicros),
        tokensDelivered,
        Outcome.INTERRUPTED,
        InterruptionCause.UPSTREAM_RESET,
        admission,
        level,
        false);
  }

  private SimulatedRequest served(
      long queueMicros,
      long modelFirst,
      long modelEnd,
      long outputTokens,
      Outcome out,
      InterruptionCause why,
      Admission admission,
      int level,
      boolean withStalls) {
    long gatewayFirst = modelFirst + relayFirstMicros;
    long gatewayEnd = Math.max(modelEnd + relayLastMicros, gatewayFirst);
    long clientFirst = gatewayFirst + downMicros;
    long clientEnd =
        gatewayEnd + Math.max(downMicros, downTailMicros) + (withStalls ? stallMicros : 0);
    long gap = maxGapMicros < 0 || outputTokens < 2 ? -1 : Math.round(maxGapMicros * factor(level));
    long maxGap = withStalls ? Math.max(gap, maxStallMicros) : gap;
    int stallCount = withStalls ? stalls : 0;
    Outcome clientOutcome = out;
    InterruptionCause clientCause = out == Outcome.INTERRUPTED ? why : null;
    if (idleTimeoutMicros > 0
        && clientEnd - startMicros > idleTimeoutMicros
        && clientFirst - startMicros < idleTimeoutMicros) {
      // The proxy's timer does not care what the stream was doing: cut at one duration.
      clientEnd = startMicros + idleTimeoutMicros;
      clientOutcome = Outcome.INTERRUPTED;
      clientCause = InterruptionCause.IDLE_TIMEOUT;
    }
    ModelCall call =
        new ModelCall(
            model,
            modelStartMicros,
            queueMicros,
            modelFirst,
            modelEnd,
            inputTokens,
            outputTokens,
            out,
            modelBackend);
    return new SimulatedRequest(
        index,
        traceId,
        trafficClass,
        workflow,
        client,
        protocolVersion,
        protocolFallback,
        retransmits,
        startMicros,
        clientFirst,
        clientEnd,
        gatewayStartMicros,
        gatewayFirst,
        gatewayEnd,
        policy,
        retrieval,
        tools,
        call,
        clientOutcome,
        faults,
        admission,
        level,
        maxGap,
        stallCount,
        clientCause);
  }

  /**
   * The request turned away by the gateway at {@code atMicros} (at its arrival, or withdrawn from
   * the model's queue): no model call, no first token; the mesh steps done by then are kept.
   */
  SimulatedRequest refused(long atMicros, Admission admission) {
    long at = Math.max(atMicros, gatewayStartMicros);
    boolean atArrival = at < policy.startMicros();
    Retrieval r = retrieval != null && retrieval.endMicros() <= at ? retrieval : null;
    List<ToolCall> t = new ArrayList<>();
    for (ToolCall call : tools) {
      if (call.endMicros() <= at) {
        t.add(call);
      }
    }
    long gatewayEnd = at + REFUSAL_MICROS;
    return new SimulatedRequest(
        index,
        traceId,
        trafficClass,
        workflow,
        client,
        protocolVersion,
        protocolFallback,
        retransmits,
        startMicros,
        -1,
        gatewayEnd + downMicros,
        gatewayStartMicros,
        -1,
        gatewayEnd,
        atArrival ? null : policy,
        r,
        t,
        null,
        Outcome.FAILED,
        faults,
        admission,
        0,
        -1,
        0,
        null);
  }
}
