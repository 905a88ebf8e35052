package dev.tierscope.api;

import dev.tierscope.core.assembly.MeshRole;
import dev.tierscope.core.assembly.RequestSummary;
import dev.tierscope.core.assembly.Vantage;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One generated request, mutable while a scenario shapes it, turned into the aggregator's {@link
 * RequestSummary}. Durations are microseconds; the test keeps these objects as ground truth.
 */
final class Req {

  private static final AtomicLong IDS = new AtomicLong();

  /** The models requests take in turn (the {@code model} breakdown's values). */
  static final String[] MODELS = {"gpt-4o", "llama-3-70b", "mistral-large"};

  private static final AtomicLong MODEL_TURN = new AtomicLong();

  String tenant = "default";
  String trafficClass = "interactive_premium";
  String workflow = "chat";
  long eventMicros;

  /** Client vantage: TTFT = edge + mesh + model; otherwise gateway vantage without edge. */
  boolean client = true;

  long edge;
  long mesh;
  long model;
  long queue;
  boolean streamed = true;
  StreamOutcome outcome = StreamOutcome.COMPLETED;
  int toolCalls;
  long toolchain = -1;
  boolean toolFailed;
  int retrievals;
  int misses;
  int fallbacks;
  long inputTokens;
  long outputTokens;
  String clientPath = "direct";
  boolean protocolFallback;
  int retransmits;
  MeshRole role = MeshRole.NONE;
  String modelName = MODELS[(int) (MODEL_TURN.getAndIncrement() % MODELS.length)];
  String connectionType = "";
  String region = "";
  String service = "";

  long ttft() {
    return client ? edge + mesh + model : mesh + model;
  }

  /** End to end: the first token plus a tail that grows with the tool calls (microseconds). */
  long e2e() {
    return ttft() + 400_000 + 150_000L * toolCalls;
  }

  long windowStartMillis() {
    return Math.floorDiv(eventMicros / 1000, 10_000) * 10_000;
  }

  RequestSummary summary() {
    long id = IDS.incrementAndGet();
    return new RequestSummary(
        new TraceId(0x7465737400000000L, id),
        tenant,
        trafficClass,
        false,
        workflow,
        eventMicros,
        e2e(),
        ttft(),
        client ? Vantage.CLIENT : Vantage.GATEWAY,
        client ? edge : -1,
        mesh,
        model,
        queue,
        streamed,
        streamed ? outcome : StreamOutcome.NONE,
        toolCalls,
        toolCalls > 0 ? toolchain : -1,
        toolCalls > 0 && toolFailed,
        retrievals,
        misses,
        fallbacks,
        inputTokens,
        outputTokens,
        client ? clientPath : "",
        client ? (protocolFallback ? "h2" : "h3") : "",
        client && protocolFallback,
        client ? retransmits : 0,
        role,
        false,
        "",
        false,
        false,
        dev.tierscope.core.span.Admission.NONE,
        -1,
        connectionType,
        region,
        modelName,
        service);
  }
}
