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

  private final List<Connection> connections = new ArrayList<>();
  private final int requestsPerExport;

  /**
   * @param url the ingest's {@code /v1/traces}
   * @param connections exporters posting in parallel, each on its own thread
   * @param requestsPerExport requests per export (8 spans each)
   * @param tenant the tenant the resource names
   */
  OtlpLoad(String url, int connections, int requestsPerExport, String tenant) {
    this.requestsPerExport = requestsPerExport;
    for (int i = 0; i < connections; i++) {
      this.connections.add(new Connection(url, tenant, i));
    }
  }

  /** Offers {@code spansPerSecond} for {@code duration}. */
  Step run(double spansPerSecond, Duration duration) throws InterruptedException {
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

    Connection(String url, String tenant, int index) {
      this.random = new SplittableRandom(1000 + index);
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
