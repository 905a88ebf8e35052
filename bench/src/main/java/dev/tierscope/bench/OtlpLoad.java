package dev.tierscope.bench;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load generator: several connections, each an OpenTelemetry SDK (tracer provider) with the
 * SDK's own OTLP/HTTP protobuf exporter, posting realistic requests (8 spans each: client, gateway,
 * model, two retrievals, two tool calls, a policy check) at an offered rate.
 *
 * <p>Each connection builds a batch of requests whose spans end just now (as a service's batch span
 * processor exports what ended since its last export) and exports it with the exporter, waiting for
 * the answer, on an open-loop schedule: when an export takes longer than the schedule allows, the
 * next one starts at once and the connection falls behind, which shows as an achieved rate below
 * the offered one. The exporter's retries are off, so a refused export (429, 503, a timeout) is
 * counted, not hidden.
 *
 * <p>With a batch delay (realistic traffic), each connection stands for one instance of three
 * services, each exporting through its own batch span processor: the client app (the client span),
 * the gateway (gateway, policy, retrieval and tool spans) and the model runtime (the model span).
 * Requests end at the offered rate; each service exports the spans that ended since its last export
 * every {@code batchDelay} (the OpenTelemetry SDK's {@code BatchSpanProcessor} schedule delay, 5 s
 * by default), at a phase of its own, or as soon as 512 spans wait (its largest batch). So spans
 * arrive between 0 and the delay after they end, and the spans of one request in up to three
 * exports. A request is acknowledged with the export that carried its last span.
 */
final class OtlpLoad implements AutoCloseable {

  static final int SPANS_PER_REQUEST = 8;

  private static final String[] CLASSES = {
    SpanAttributes.Classes.INTERACTIVE_PREMIUM,
    SpanAttributes.Classes.STANDARD_INTERACTIVE,
    SpanAttributes.Classes.DEFERRED_BATCH
  };

  /** What one load step did. */
  record Step(
      double offeredSpansPerSecond,
      double seconds,
      long requestsAcknowledged,
      long requestsRefused,
      List<Freshness.Ack> acks) {

    double achievedSpansPerSecond() {
      return requestsAcknowledged * SPANS_PER_REQUEST / seconds;
    }
  }

  /** The batch span processor's largest export ({@code maxExportBatchSize}). */
  static final int MAX_EXPORT_BATCH = 512;

  private final List<Connection> connections = new ArrayList<>();
  private final int requestsPerExport;
  private final Duration batchDelay;

  /**
   * @param url the ingest's {@code /v1/traces}
   * @param connections exporters posting in parallel, each on its own thread
   * @param requestsPerExport requests per export (8 spans each)
   * @param tenant the tenant the resource names
   */
  OtlpLoad(String url, int connections, int requestsPerExport, String tenant) {
    this(url, connections, requestsPerExport, tenant, Duration.ZERO);
  }

  /**
   * @param batchDelay zero: each export carries whole requests whose spans end just before it;
   *     otherwise the services' schedule delay (see the class comment), and {@code
   *     requestsPerExport} is the requests that end together
   */
  OtlpLoad(String url, int connections, int requestsPerExport, String tenant, Duration batchDelay) {
    this.requestsPerExport = requestsPerExport;
    this.batchDelay = batchDelay;
    for (int i = 0; i < connections; i++) {
      this.connections.add(new Connection(url, tenant, i));
    }
  }

  /** Offers {@code spansPerSecond} for {@code duration}. */
  Step run(double spansPerSecond, Duration duration) throws InterruptedException {
    if (!batchDelay.isZero()) {
      return runBatched(spansPerSecond, duration);
    }
    List<Freshness.Ack> acks = new ArrayList<>();
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    double exportsPerSecondEach =
        spansPerSecond / (requestsPerExport * SPANS_PER_REQUEST) / connections.size();
    long intervalNanos = (long) (1e9 / exportsPerSecondEach);
    long started = System.nanoTime();
    long end = started + duration.toNanos();
    CountDownLatch done = new CountDownLatch(connections.size());
    for (int c = 0; c < connections.size(); c++) {
      Connection connection = connections.get(c);
      // connections start spread over one interval, not all at once
      long first = started + intervalNanos * c / connections.size();
      Thread t =
          new Thread(
              () -> {
                try {
                  long next = first;
                  while (next < end) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                      TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    long ackNanos = connection.export(requestsPerExport);
                    if (ackNanos > 0) {
                      acknowledged.addAndGet(requestsPerExport);
                      synchronized (acks) {
                        acks.add(new Freshness.Ack(ackNanos, requestsPerExport));
                      }
                    } else {
                      refused.addAndGet(requestsPerExport);
                    }
                    next += intervalNanos;
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  done.countDown();
                }
              },
              "load-" + c);
      t.start();
    }
    done.await();
    double seconds = (System.nanoTime() - started) / 1e9;
    List<Freshness.Ack> sorted = new ArrayList<>(acks);
    sorted.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
    return new Step(spansPerSecond, seconds, acknowledged.get(), refused.get(), sorted);
  }

  /**
   * Offers {@code spansPerSecond} of requests ending for {@code duration}, exported by the three
   * services of each connection on their batch schedule; then waits until every service exported
   * what it holds (at most one batch delay more). The step's seconds are {@code duration}: the
   * spans offered in it, not the tail of the last batches.
   */
  private Step runBatched(double spansPerSecond, Duration duration) throws InterruptedException {
    List<Freshness.Ack> acks = new ArrayList<>();
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    double batchesPerSecondEach =
        spansPerSecond / (requestsPerExport * SPANS_PER_REQUEST) / connections.size();
    long intervalNanos = (long) (1e9 / batchesPerSecondEach);
    long delayNanos = batchDelay.toNanos();
    long started = System.nanoTime();
    long end = started + duration.toNanos();
    CountDownLatch done = new CountDownLatch(connections.size());
    for (int c = 0; c < connections.size(); c++) {
      Connection connection = connections.get(c);
      long first = started + intervalNanos * c / connections.size();
      Thread t =
          new Thread(
              () -> {
                try {
                  long nextEnd = first;
                  long[] nextFlush = new long[Service.COUNT];
                  for (int sv = 0; sv < Service.COUNT; sv++) {
                    nextFlush[sv] = started + connection.phase(sv, delayNanos);
                  }
                  while (true) {
                    boolean ending = nextEnd < end;
                    if (!ending && connection.nothingHeld()) {
                      break;
                    }
                    long next = ending ? nextEnd : Long.MAX_VALUE;
                    for (long f : nextFlush) {
                      next = Math.min(next, f);
                    }
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                      TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    long now = System.nanoTime();
                    if (ending && nextEnd <= now) {
                      connection.end(requestsPerExport, nextFlush);
                      nextEnd += intervalNanos;
                    }
                    for (int sv = 0; sv < Service.COUNT; sv++) {
                      boolean due = nextFlush[sv] <= now;
                      if (due || connection.held(sv) >= MAX_EXPORT_BATCH) {
                        Connection.Exported e = connection.flush(sv);
                        if (e.requests() > 0) {
                          if (e.ackNanos() > 0) {
                            acknowledged.addAndGet(e.requests());
                            synchronized (acks) {
                              acks.add(new Freshness.Ack(e.ackNanos(), e.requests()));
                            }
                          } else {
                            refused.addAndGet(e.requests());
                          }
                        }
                        if (due) {
                          while (nextFlush[sv] <= now) {
                            nextFlush[sv] += delayNanos;
                          }
                        }
                      }
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  done.countDown();
                }
              },
              "load-" + c);
      t.start();
    }
    done.await();
    List<Freshness.Ack> sorted = new ArrayList<>(acks);
    sorted.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
    return new Step(
        spansPerSecond, duration.toNanos() / 1e9, acknowledged.get(), refused.get(), sorted);
  }

  /** The three services of a connection, each with a batch span processor of its own. */
  static final class Service {
    static final int CLIENT = 0;
    static final int GATEWAY = 1;
    static final int MODEL = 2;
    static final int COUNT = 3;

    private Service() {}
  }

  @Override
  public void close() {
    for (Connection c : connections) {
      c.stop();
    }
  }

  /** One SDK and exporter; used by one thread at a time. */
  private static final class Connection implements SpanProcessor {

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final OtlpHttpSpanExporter exporter;
    private final SplittableRandom random;
    private final List<SpanData> ended = new ArrayList<>();
    private long sequence;

    /** What one service exported: the acknowledgement's time (0 if refused) and the requests. */
    record Exported(long ackNanos, int requests) {}

    /** Per service (batched traffic): the spans it holds, and the requests whose last they are. */
    @SuppressWarnings("unchecked")
    private final List<SpanData>[] held =
        new List[] {new ArrayList<>(), new ArrayList<>(), new ArrayList<>()};

    private final int[] completing = new int[Service.COUNT];
    private final double[] phases = new double[Service.COUNT];

    Connection(String url, String tenant, int index) {
      this.random = new SplittableRandom(1000 + index);
      SplittableRandom phaseRandom = new SplittableRandom(2000 + index);
      for (int sv = 0; sv < Service.COUNT; sv++) {
        phases[sv] = phaseRandom.nextDouble();
      }
      this.exporter =
          OtlpHttpSpanExporter.builder()
              .setEndpoint(url)
              .setTimeout(Duration.ofSeconds(10))
              .setRetryPolicy(null)
              .build();
      this.provider =
          SdkTracerProvider.builder()
              .setResource(
                  Resource.create(
                      Attributes.of(
                          AttributeKey.stringKey(SpanAttributes.SERVICE_NAME),
                          "bench-chat-service",
                          AttributeKey.stringKey(SpanAttributes.TENANT),
                          tenant)))
              .addSpanProcessor(this)
              .build();
      this.tracer = provider.get("dev.tierscope.bench");
    }

    /** Builds and exports {@code requests}; the acknowledgement's time, or 0 if refused. */
    long export(int requests) {
      ended.clear();
      long now = System.currentTimeMillis() * 1_000_000L;
      for (int i = 0; i < requests; i++) {
        request(now);
      }
      CompletableResultCode result = exporter.export(new ArrayList<>(ended));
      result.join(15, TimeUnit.SECONDS);
      return result.isSuccess() ? System.nanoTime() : 0;
    }

    /** This service's first export, nanoseconds after the step's start, below {@code delay}. */
    long phase(int service, long delayNanos) {
      return (long) (phases[service] * delayNanos);
    }

    /** True when no service holds a span. */
    boolean nothingHeld() {
      for (List<SpanData> h : held) {
        if (!h.isEmpty()) {
          return false;
        }
      }
      return true;
    }

    int held(int service) {
      return held[service].size();
    }

    /**
     * Ends {@code requests} now; their spans wait in their services' batches. Each request is
     * acknowledged by the service whose next export ({@code nextFlush}) comes last.
     */
    void end(int requests, long[] nextFlush) {
      ended.clear();
      long now = System.currentTimeMillis() * 1_000_000L;
      for (int i = 0; i < requests; i++) {
        request(now);
      }
      for (SpanData d : ended) {
        held[serviceOf(d)].add(d);
      }
      int last = Service.CLIENT;
      for (int sv = 1; sv < Service.COUNT; sv++) {
        if (nextFlush[sv] > nextFlush[last]) {
          last = sv;
        }
      }
      // A service whose batch fills up exports before its schedule: a full batch is the one
      // exception to "the last scheduled export completes the request", rare at the rates where
      // the schedule matters (a batch of 512 spans per service instance and delay).
      completing[last] += requests;
    }

    /** Exports what {@code service} holds (nothing to do when it holds nothing). */
    Exported flush(int service) {
      List<SpanData> batch = held[service];
      int requests = completing[service];
      completing[service] = 0;
      if (batch.isEmpty()) {
        return new Exported(0, requests);
      }
      List<SpanData> copy = new ArrayList<>(batch);
      batch.clear();
      CompletableResultCode result = exporter.export(copy);
      result.join(15, TimeUnit.SECONDS);
      return new Exported(result.isSuccess() ? System.nanoTime() : 0, requests);
    }

    private static int serviceOf(SpanData d) {
      if (d.getParentSpanContext() == null || !d.getParentSpanContext().isValid()) {
        return Service.CLIENT;
      }
      return d.getName().startsWith("chat llama") ? Service.MODEL : Service.GATEWAY;
    }

    /** One request whose client span ends about {@code endNanos}. */
    private void request(long endNanos) {
      long duration = 600_000_000L + random.nextLong(1_400_000_000L);
      long start = endNanos - duration - random.nextLong(5_000_000L);
      String cls = CLASSES[(int) (sequence++ % CLASSES.length)];
      long ttft = 150_000_000L + random.nextLong(Math.max(1, duration / 2));
      Span client =
          tracer
              .spanBuilder("POST /v1/chat")
              .setNoParent()
              .setSpanKind(SpanKind.CLIENT)
              .setStartTimestamp(start, TimeUnit.NANOSECONDS)
              .setAttribute(SpanAttributes.CLASS, cls)
              .setAttribute(SpanAttributes.GEN_AI_REQUEST_STREAM, true)
              .setAttribute(SpanAttributes.CLIENT_PATH, "direct")
              .setAttribute(SpanAttributes.NETWORK_PROTOCOL_VERSION, "2")
              .setAttribute(SpanAttributes.WORKFLOW, "rag")
              .startSpan();
      client.addEvent(SpanAttributes.FIRST_TOKEN_EVENT, start + ttft, TimeUnit.NANOSECONDS);
      Context inClient = Context.root().with(client);
      long gwStart = start + 10_000_000L;
      Span gateway =
          tracer
              .spanBuilder("chat gateway")
              .setParent(inClient)
              .setSpanKind(SpanKind.SERVER)
              .setStartTimestamp(gwStart, TimeUnit.NANOSECONDS)
              .setAttribute(SpanAttributes.ROLE, SpanAttributes.Roles.GATEWAY)
              .setAttribute(SpanAttributes.GEN_AI_TIME_TO_FIRST_CHUNK, (ttft - 20_000_000L) / 1e9)
              .setAttribute("http.route", "/v1/chat")
              .startSpan();
      Context inGateway = Context.root().with(gateway);
      long t = gwStart + 2_000_000L;
      t = child(inGateway, "policy check", t, 3_000_000L, SpanAttributes.Roles.POLICY);
      for (int r = 0; r < 2; r++) {
        Span s =
            tracer
                .spanBuilder("retrieval docs")
                .setParent(inGateway)
                .setStartTimestamp(t, TimeUnit.NANOSECONDS)
                .setAttribute(
                    SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_RETRIEVAL)
                .setAttribute(SpanAttributes.RETRIEVAL_HIT, random.nextInt(10) > 0)
                .startSpan();
        t += 15_000_000L + random.nextLong(20_000_000L);
        s.end(t, TimeUnit.NANOSECONDS);
      }
      for (int k = 0; k < 2; k++) {
        Span s =
            tracer
                .spanBuilder("execute_tool web_search")
                .setParent(inGateway)
                .setStartTimestamp(t, TimeUnit.NANOSECONDS)
                .setAttribute(
                    SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_EXECUTE_TOOL)
                .setAttribute(SpanAttributes.GEN_AI_TOOL_NAME, "web_search")
                .startSpan();
        if (random.nextInt(20) == 0) {
          s.setStatus(StatusCode.ERROR);
        }
        t += 20_000_000L + random.nextLong(30_000_000L);
        s.end(t, TimeUnit.NANOSECONDS);
      }
      long modelEnd = endNanos - 3_000_000L;
      Span model =
          tracer
              .spanBuilder("chat llama")
              .setParent(inGateway)
              .setSpanKind(SpanKind.CLIENT)
              .setStartTimestamp(Math.min(t, start + ttft - 40_000_000L), TimeUnit.NANOSECONDS)
              .setAttribute(SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_CHAT)
              .setAttribute(SpanAttributes.GEN_AI_REQUEST_MODEL, "llama-3.1-70b")
              .setAttribute(SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS, 800L + random.nextInt(800))
              .setAttribute(SpanAttributes.GEN_AI_USAGE_OUTPUT_TOKENS, 100L + random.nextInt(400))
              .setAttribute(SpanAttributes.MODEL_QUEUE_MS, 5.0 + random.nextInt(20))
              .setAttribute(
                  SpanAttributes.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN, (ttft - 60_000_000L) / 1e9)
              .startSpan();
      model.end(modelEnd, TimeUnit.NANOSECONDS);
      gateway.end(endNanos - 2_000_000L, TimeUnit.NANOSECONDS);
      client.end(endNanos - random.nextLong(1_000_000L), TimeUnit.NANOSECONDS);
    }

    private long child(Context parent, String name, long start, long length, String role) {
      Span s =
          tracer
              .spanBuilder(name)
              .setParent(parent)
              .setStartTimestamp(start, TimeUnit.NANOSECONDS)
              .setAttribute(SpanAttributes.ROLE, role)
              .startSpan();
      s.end(start + length, TimeUnit.NANOSECONDS);
      return start + length;
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
      ended.add(span.toSpanData());
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }

    void stop() {
      provider.shutdown().join(5, TimeUnit.SECONDS);
      exporter.shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
