package dev.tierscope.simulator;

import dev.tierscope.sdk.Admission;
import dev.tierscope.sdk.InterruptionCause;
import dev.tierscope.sdk.Outcome;
import dev.tierscope.sdk.TrafficClass;
import java.util.List;

/**
 * One generated request: the timeline of every span the simulator reports for it, and, derived from
 * it, the ground truth an attribution is checked against. All times are epoch microseconds; all
 * durations microseconds.
 *
 * <p>The spans: a client span (the user's side), a gateway span (child of the client), under the
 * gateway a policy check, a retrieval (RAG, batch), tool calls (agent) and the model call.
 * Decomposition (as the aggregator computes it): {@code ttft = edge + mesh + model}, with {@code
 * model} the model span's start to its first token, {@code mesh} the gateway's TTFT minus {@code
 * model}, and {@code edge} the client's TTFT minus the gateway's.
 *
 * @param index sequence number in the run, from 0
 * @param traceId the trace id, 32 lowercase hex characters
 * @param trafficClass class
 * @param workflow workflow
 * @param client the client that sent it
 * @param protocolVersion the HTTP version it ended up using
 * @param protocolFallback whether HTTP/3 fell back to HTTP/2
 * @param retransmits transport retransmissions during the request
 * @param clientStartMicros client span start
 * @param clientFirstTokenMicros first token at the client
 * @param clientEndMicros client span end
 * @param gatewayStartMicros gateway span start
 * @param gatewayFirstTokenMicros first token leaving the gateway
 * @param gatewayEndMicros gateway span end
 * @param policy the policy check, or null for a request the gateway refused on arrival
 * @param retrieval the retrieval, or null for workflows without one
 * @param tools the tool calls in order (empty unless agent)
 * @param model the model call, or null for a request the gateway refused or withdrew before the
 *     model served it (then the first-token times are -1)
 * @param outcome how the stream ended, as the client saw it ({@link Outcome#FAILED} for a refused
 *     request)
 * @param faults the faults active when the request started
 * @param admission what the gateway did with it under admission control (admitted, deferred, shed),
 *     or null without admission control
 * @param degradationLevel the degradation level it was served with, 0 to 3
 * @param maxGapMicros the largest gap between consecutive chunks the client saw, -1 without two
 *     chunks
 * @param stalls gaps the client saw longer than the SDK's stall threshold (1 s)
 * @param interruptionCause why the client's stream broke; null unless {@code outcome} is
 *     interrupted
 */
public record SimulatedRequest(
    long index,
    String traceId,
    TrafficClass trafficClass,
    Workflow workflow,
    SimClient client,
    String protocolVersion,
    boolean protocolFallback,
    int retransmits,
    long clientStartMicros,
    long clientFirstTokenMicros,
    long clientEndMicros,
    long gatewayStartMicros,
    long gatewayFirstTokenMicros,
    long gatewayEndMicros,
    Step policy,
    Retrieval retrieval,
    List<ToolCall> tools,
    ModelCall model,
    Outcome outcome,
    List<FaultWindow> faults,
    Admission admission,
    int degradationLevel,
    long maxGapMicros,
    int stalls,
    InterruptionCause interruptionCause) {

  public SimulatedRequest {
    tools = List.copyOf(tools);
    faults = List.copyOf(faults);
  }

  /** Whether the gateway turned the request away (deferred or shed before the model served it). */
  public boolean refused() {
    return model == null;
  }

  /** A step of the mesh with a start and an end (epoch microseconds). */
  public record Step(long startMicros, long endMicros) {
    public long durationMicros() {
      return endMicros - startMicros;
    }
  }

  /**
   * A retrieval.
   *
   * @param hit found usable context
   * @param fallback a miss was served by the fallback path (whose time is inside the span)
   * @param backend the retriever that served it (it reports the retrieval span)
   */
  public record Retrieval(
      long startMicros, long endMicros, boolean hit, boolean fallback, Backend backend) {
    public long durationMicros() {
      return endMicros - startMicros;
    }
  }

  /** A tool call; {@code failed} when it timed out. */
  public record ToolCall(String name, long startMicros, long endMicros, boolean failed) {}

  /**
   * The model call.
   *
   * @param model model name
   * @param startMicros span start (request handed to the runtime)
   * @param queueMicros time queued before prefill
   * @param firstTokenMicros first token
   * @param endMicros last token (or the break)
   * @param inputTokens prompt tokens
   * @param outputTokens tokens generated (up to the break when interrupted or cancelled)
   * @param outcome how its stream ended
   * @param backend the model runtime that served it (it reports the model span); a call served from
   *     the secondary region has the inter-region round trip inside its span, before the first
   *     token
   */
  public record ModelCall(
      String model,
      long startMicros,
      long queueMicros,
      long firstTokenMicros,
      long endMicros,
      long inputTokens,
      long outputTokens,
      Outcome outcome,
      Backend backend) {}

  /**
   * For an interrupted or cancelled stream, the time into the stream at which the client saw it
   * break (its span's start to its end); -1 otherwise.
   */
  public long cutAfterMicros() {
    return outcome == Outcome.INTERRUPTED || outcome == Outcome.CANCELLED
        ? clientEndMicros - clientStartMicros
        : -1;
  }

  /** Client-observed time to first token; -1 for a refused request. */
  public long ttftMicros() {
    return refused() ? -1 : clientFirstTokenMicros - clientStartMicros;
  }

  /** Gateway-observed time to first token; -1 for a refused request. */
  public long gatewayTtftMicros() {
    return refused() ? -1 : gatewayFirstTokenMicros - gatewayStartMicros;
  }

  /** Model tier: queue + prefill; -1 for a refused request. */
  public long modelMicros() {
    return refused() ? -1 : model.firstTokenMicros() - model.startMicros();
  }

  /** Mesh tier: gateway TTFT minus the model tier; -1 for a refused request. */
  public long meshMicros() {
    return refused() ? -1 : gatewayTtftMicros() - modelMicros();
  }

  /** Edge tier: client TTFT minus gateway TTFT; -1 for a refused request. */
  public long edgeMicros() {
    return refused() ? -1 : ttftMicros() - gatewayTtftMicros();
  }

  /** First tool start to last tool end, -1 without tools. */
  public long toolchainMicros() {
    if (tools.isEmpty()) {
      return -1;
    }
    return tools.get(tools.size() - 1).endMicros() - tools.get(0).startMicros();
  }

  /** Whether some tool call failed. */
  public boolean toolchainFailed() {
    return tools.stream().anyMatch(ToolCall::failed);
  }

  /** The faults' names joined with {@code +}, or {@code none}. */
  public String faultLabel() {
    if (faults.isEmpty()) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    for (FaultWindow f : faults) {
      s.append(s.length() == 0 ? "" : "+").append(f.kind().value());
    }
    return s.toString();
  }
}
