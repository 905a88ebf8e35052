package dev.tierscope.simulator;

import dev.tierscope.sdk.ExportStats;
import dev.tierscope.sdk.ModelSpan;
import dev.tierscope.sdk.Outcome;
import dev.tierscope.sdk.RequestSpan;
import dev.tierscope.sdk.Tierscope;
import dev.tierscope.sdk.TierscopeBuilder;
import dev.tierscope.simulator.SimulatedRequest.Retrieval;
import dev.tierscope.simulator.SimulatedRequest.ToolCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Reports every simulated request as real spans through the Tierscope SDK, as its services would:
 * the app the user talks to ({@value #CLIENT_SERVICE}: the client span), the gateway ({@value
 * #GATEWAY_SERVICE}: gateway span, policy, tools), the retriever that served the request's
 * retrieval ({@value #RETRIEVAL_SERVICE} or its standby in the secondary region: the retrieval
 * span) and the model runtime that served its model call ({@value #MODEL_SERVICE} or its standby:
 * the model span). Each service has its own SDK instance and exporter, with its region as the
 * resource's {@code cloud.region} (the client app has none), and the trace crosses them through W3C
 * trace-context headers, exactly as in production. The standbys' SDK instances start with the first
 * request a failover sends them ({@link Backend}).
 *
 * <p>Backpressure instead of drops: before a request is reported, the sink waits while an SDK queue
 * is more than three quarters full, so a run faster than the ingest slows down rather than losing
 * spans. Drops and failed exports are still counted by the SDK ({@link #stats()}).
 */
public final class TierscopeSink implements RequestSink {

  /** Service name of the client spans. */
  public static final String CLIENT_SERVICE = "sim-chat-app";

  /** Service name of the gateway and its steps. */
  public static final String GATEWAY_SERVICE = "sim-gateway";

  /** Service name of the model spans of the primary model runtime. */
  public static final String MODEL_SERVICE = "sim-model-runtime";

  /** Service name of the retrieval spans of the primary retriever. */
  public static final String RETRIEVAL_SERVICE = "sim-retriever";

  /** The OpenTelemetry resource attribute naming the region a service runs in. */
  static final String CLOUD_REGION = "cloud.region";

  /** Default export queue of each SDK instance, in spans. */
  public static final int DEFAULT_QUEUE = 8192;

  private static final Duration MAX_BACKPRESSURE_WAIT = Duration.ofSeconds(30);

  private final Tierscope clientApp;
  private final Tierscope gateway;

  /** The backends' SDK instances, the primaries from the start, a standby from its first call. */
  private final Map<Backend, Tierscope> backends = new ConcurrentHashMap<>();

  private final SimIdGenerator ids;
  private final UnaryOperator<TierscopeBuilder> configure;
  private final long highWater;

  private TierscopeSink(SimIdGenerator ids, UnaryOperator<TierscopeBuilder> configure, int queue) {
    this.ids = ids;
    this.configure = configure;
    this.clientApp = build(CLIENT_SERVICE, null, ids, configure);
    this.gateway = build(GATEWAY_SERVICE, Backend.PRIMARY_REGION, ids, configure);
    backend(Backend.MODEL_PRIMARY);
    backend(Backend.RETRIEVAL_PRIMARY);
    this.highWater = Math.max(1, queue * 3L / 4);
  }

  private Tierscope backend(Backend b) {
    return backends.computeIfAbsent(b, k -> build(k.service(), k.region(), ids, configure));
  }

  /**
   * A sink whose three SDK instances are configured by {@code configure} (endpoint, protocol,
   * tenant, headers, ...), with the seed's span ids and a queue of {@value #DEFAULT_QUEUE} spans.
   *
   * @param seed seed of the span ids: the run's {@link SimulationConfig#idSeed()}
   */
  public static TierscopeSink create(long seed, UnaryOperator<TierscopeBuilder> configure) {
    return new TierscopeSink(new SimIdGenerator(seed), configure, DEFAULT_QUEUE);
  }

  private static Tierscope build(
      String service,
      String region,
      SimIdGenerator ids,
      UnaryOperator<TierscopeBuilder> configure) {
    TierscopeBuilder b =
        Tierscope.builder()
            .serviceName(service)
            .maxQueueSize(DEFAULT_QUEUE)
            .scheduleDelay(Duration.ofMillis(200));
    b = configure.apply(b).serviceName(service).idGenerator(ids);
    if (region != null) {
      b.resourceAttribute(CLOUD_REGION, region);
    }
    return b.build();
  }

  @Override
  public void request(SimulatedRequest r) {
    awaitCapacity();
    String cls = r.trafficClass().value();
    String workflow = r.workflow().value();

    ids.nextTraceId(r.traceId());
    RequestSpan client =
        clientApp
            .request(cls, workflow)
            .client()
            .name(workflow + " request")
            .startAt(Simulation.instant(r.clientStartMicros()))
            .start();
    client
        .clientPath(r.client().path())
        .connectionType(r.client().connection())
        .protocolVersion(r.protocolVersion())
        .protocolFallback(r.protocolFallback())
        .retransmits(r.retransmits());

    RequestSpan gw =
        gateway
            .request(cls, workflow)
            .gateway()
            .name("POST /v1/" + workflow)
            .parent(client.headers())
            .startAt(Simulation.instant(r.gatewayStartMicros()))
            .start();
    if (r.admission() != null) {
      gw.admission(r.admission()).degradation(r.degradationLevel());
    }
    if (r.policy() != null) {
      gw.policy("input-guard", Simulation.instant(r.policy().startMicros()))
          .end(Simulation.instant(r.policy().endMicros()));
    }
    Retrieval retrieval = r.retrieval();
    if (retrieval != null) {
      backend(retrieval.backend())
          .continueTrace(gw.headers())
          .retrieval(Simulation.instant(retrieval.startMicros()))
          .end(retrieval.hit(), retrieval.fallback(), Simulation.instant(retrieval.endMicros()));
    }
    for (ToolCall t : r.tools()) {
      var tool = gw.tool(t.name(), Simulation.instant(t.startMicros()));
      if (t.failed()) {
        tool.fail("timeout");
      }
      tool.end(Simulation.instant(t.endMicros()));
    }

    if (r.refused()) {
      // Turned away by the gateway: no model call, no stream, an error answer.
      gw.streamed(false).end(Outcome.FAILED, Simulation.instant(r.gatewayEndMicros()));
      client.streamed(false).end(Outcome.FAILED, Simulation.instant(r.clientEndMicros()));
      return;
    }
    SimulatedRequest.ModelCall m = r.model();
    ModelSpan model =
        backend(m.backend())
            .continueTrace(gw.headers())
            .model(m.model(), Simulation.instant(m.startMicros()))
            .provider("vllm")
            .queueMs(m.queueMicros() / 1000.0)
            .tokens(m.inputTokens(), m.outputTokens());
    model.firstToken(Simulation.instant(m.firstTokenMicros()));
    model.end(m.outcome(), Simulation.instant(m.endMicros()));

    gw.firstToken(Simulation.instant(r.gatewayFirstTokenMicros()));
    gw.end(r.outcome(), Simulation.instant(r.gatewayEndMicros()));
    client.firstToken(Simulation.instant(r.clientFirstTokenMicros()));
    if (r.maxGapMicros() >= 0) {
      client.streamGaps(Duration.ofNanos(r.maxGapMicros() * 1_000), r.stalls());
    }
    if (r.interruptionCause() != null) {
      client.interrupted(r.interruptionCause(), Simulation.instant(r.clientEndMicros()));
    } else {
      client.end(r.outcome(), Simulation.instant(r.clientEndMicros()));
    }
  }

  /** Waits (bounded) while an SDK queue is above its high-water mark. */
  private void awaitCapacity() {
    long deadline = System.nanoTime() + MAX_BACKPRESSURE_WAIT.toNanos();
    while (maxPending() > highWater && System.nanoTime() < deadline) {
      try {
        TimeUnit.MILLISECONDS.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private long maxPending() {
    long max = 0;
    for (Tierscope t : instances()) {
      max = Math.max(max, t.stats().pending());
    }
    return max;
  }

  /** Every SDK instance started so far. */
  private List<Tierscope> instances() {
    List<Tierscope> all = new ArrayList<>(2 + backends.size());
    all.add(clientApp);
    all.add(gateway);
    all.addAll(backends.values());
    return all;
  }

  /** The export accounting of the SDK instances, added up. */
  public ExportStats stats() {
    long ended = 0;
    long dropped = 0;
    long exported = 0;
    long failed = 0;
    long pending = 0;
    for (Tierscope t : instances()) {
      ExportStats s = t.stats();
      ended += s.ended();
      dropped += s.dropped();
      exported += s.exported();
      failed += s.failed();
      pending += s.pending();
    }
    return new ExportStats(ended, dropped, exported, failed, pending);
  }

  /** Where the spans go. */
  public String endpoint() {
    return clientApp.endpoint();
  }

  /** Exports everything queued, waiting at most {@code timeout}; true when all of it went out. */
  public boolean flush(Duration timeout) {
    boolean ok = true;
    for (Tierscope t : instances()) {
      ok &= t.flush(timeout);
    }
    return ok;
  }

  /** Exports what is queued and shuts the SDK instances down. */
  @Override
  public void close() {
    for (Tierscope t : instances()) {
      t.close();
    }
  }
}
