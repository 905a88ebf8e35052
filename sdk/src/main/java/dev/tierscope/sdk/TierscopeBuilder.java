package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Configuration of a {@link Tierscope} instance. Every setting has a default that works against a
 * Tierscope server on this machine; {@link #environment(Map)} reads the standard OpenTelemetry
 * variables. Values set later win, so explicit calls after {@code environment(...)} override it.
 * {@link #build()} validates everything and fails with a message naming the setting.
 *
 * <pre>{@code
 * Tierscope tierscope = Tierscope.builder()
 *     .environment(System.getenv())   // OTEL_EXPORTER_OTLP_ENDPOINT etc., when set
 *     .serviceName("chat-api")
 *     .tenant("acme")
 *     .build();
 * }</pre>
 */
public final class TierscopeBuilder {

  /** Default export timeout of the OpenTelemetry SDKs. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** Default bound of the export queue, in spans (the OpenTelemetry default). */
  public static final int DEFAULT_MAX_QUEUE_SIZE = 2048;

  /** Default largest export request, in spans (the OpenTelemetry default). */
  public static final int DEFAULT_MAX_EXPORT_BATCH_SIZE = 512;

  /**
   * Default delay between exports. Shorter than OpenTelemetry's 5 s: SLO windows are 10 s wide, and
   * a request should reach its window while the window is still open.
   */
  public static final Duration DEFAULT_SCHEDULE_DELAY = Duration.ofSeconds(1);

  private String endpoint;
  private String tracesEndpoint;
  private OtlpProtocol protocol = OtlpProtocol.HTTP_PROTOBUF;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private Duration timeout = DEFAULT_TIMEOUT;
  private String compression = "none";
  private String serviceName;
  private String tenant;
  private final Map<String, String> resourceAttributes = new LinkedHashMap<>();
  private int maxQueueSize = DEFAULT_MAX_QUEUE_SIZE;
  private int maxExportBatchSize = DEFAULT_MAX_EXPORT_BATCH_SIZE;
  private boolean maxExportBatchSizeSet;
  private Duration scheduleDelay = DEFAULT_SCHEDULE_DELAY;
  private SpanExporter spanExporter;
  private IdGenerator idGenerator;

  TierscopeBuilder() {}

  /**
   * Base URL of the OTLP endpoint, e.g. {@code http://127.0.0.1:4318}; for OTLP/HTTP {@code
   * /v1/traces} is appended (as for {@code OTEL_EXPORTER_OTLP_ENDPOINT}). Default {@code
   * http://localhost:4318} (HTTP) or {@code http://localhost:4317} (gRPC).
   */
  public TierscopeBuilder endpoint(String baseUrl) {
    this.endpoint = baseUrl;
    return this;
  }

  /**
   * Full URL of the traces endpoint, used as it is (as for {@code
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}); takes precedence over {@link #endpoint(String)}.
   */
  public TierscopeBuilder tracesEndpoint(String url) {
    this.tracesEndpoint = url;
    return this;
  }

  /** OTLP/HTTP protobuf (default) or OTLP/gRPC. */
  public TierscopeBuilder protocol(OtlpProtocol protocol) {
    this.protocol = protocol;
    return this;
  }

  /** Adds a header to every export request (for example an API key). */
  public TierscopeBuilder header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  /** Longest wait for one export, retries included (default 10 s). */
  public TierscopeBuilder timeout(Duration timeout) {
    this.timeout = timeout;
    return this;
  }

  /** {@code gzip} or {@code none} (default). */
  public TierscopeBuilder compression(String compression) {
    this.compression = compression;
    return this;
  }

  /** The reporting service ({@code service.name}); default {@code unknown_service:java}. */
  public TierscopeBuilder serviceName(String serviceName) {
    this.serviceName = serviceName;
    return this;
  }

  /** The tenant ({@code tierscope.tenant}); Tierscope uses {@code default} when unset. */
  public TierscopeBuilder tenant(String tenant) {
    this.tenant = tenant;
    return this;
  }

  /** Adds a resource attribute (for example {@code deployment.environment.name}). */
  public TierscopeBuilder resourceAttribute(String key, String value) {
    resourceAttributes.put(key, value);
    return this;
  }

  /**
   * Bound of the export queue in spans (default 2048). A span ended while the queue is full is
   * dropped and counted; the application never waits.
   */
  public TierscopeBuilder maxQueueSize(int spans) {
    this.maxQueueSize = spans;
    return this;
  }

  /**
   * Largest export request in spans (default 512, or the queue size when that is smaller); at most
   * {@link #maxQueueSize(int)}.
   */
  public TierscopeBuilder maxExportBatchSize(int spans) {
    this.maxExportBatchSize = spans;
    this.maxExportBatchSizeSet = true;
    return this;
  }

  /** Longest time a span waits in the queue before an export starts (default 1 s). */
  public TierscopeBuilder scheduleDelay(Duration delay) {
    this.scheduleDelay = delay;
    return this;
  }

  /**
   * Exports through {@code exporter} instead of OTLP (for tests, or a collector-specific exporter);
   * the endpoint settings are then ignored. The exporter is shut down with the SDK.
   */
  public TierscopeBuilder spanExporter(SpanExporter exporter) {
    this.spanExporter = exporter;
    return this;
  }

  /** Generates trace and span ids (default: random, as OpenTelemetry does). */
  public TierscopeBuilder idGenerator(IdGenerator idGenerator) {
    this.idGenerator = idGenerator;
    return this;
  }

  /**
   * Applies the OpenTelemetry variables present in {@code env} (blank values are ignored); the
   * {@code _TRACES_} variants win over the general ones:
   *
   * <ul>
   *   <li>{@code OTEL_EXPORTER_OTLP_ENDPOINT} (base URL), {@code
   *       OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} (full URL)
   *   <li>{@code OTEL_EXPORTER_OTLP_PROTOCOL}: {@code http/protobuf} or {@code grpc}
   *   <li>{@code OTEL_EXPORTER_OTLP_HEADERS}: {@code key=value,key2=value2}, values URL-encoded
   *   <li>{@code OTEL_EXPORTER_OTLP_TIMEOUT}: milliseconds
   *   <li>{@code OTEL_EXPORTER_OTLP_COMPRESSION}: {@code gzip} or {@code none}
   *   <li>{@code OTEL_SERVICE_NAME}; {@code OTEL_RESOURCE_ATTRIBUTES} (its {@code service.name} and
   *       {@code tierscope.tenant} are used too)
   *   <li>{@code OTEL_BSP_MAX_QUEUE_SIZE}, {@code OTEL_BSP_MAX_EXPORT_BATCH_SIZE}, {@code
   *       OTEL_BSP_SCHEDULE_DELAY} (milliseconds)
   * </ul>
   *
   * @throws IllegalArgumentException naming the variable when a value cannot be read
   */
  public TierscopeBuilder environment(Map<String, String> env) {
    if (env == null) {
      return this;
    }
    String resource = value(env, "OTEL_RESOURCE_ATTRIBUTES");
    if (resource != null) {
      for (Map.Entry<String, String> e : keyValues(resource, "OTEL_RESOURCE_ATTRIBUTES")) {
        switch (e.getKey()) {
          case SpanAttributes.SERVICE_NAME -> serviceName = e.getValue();
          case SpanAttributes.TENANT -> tenant = e.getValue();
          default -> resourceAttributes.put(e.getKey(), e.getValue());
        }
      }
    }
    String service = value(env, "OTEL_SERVICE_NAME");
    if (service != null) {
      serviceName = service;
    }
    String proto = first(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL");
    if (proto != null) {
      try {
        protocol = OtlpProtocol.fromValue(proto);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("OTEL_EXPORTER_OTLP_PROTOCOL: " + e.getMessage(), e);
      }
    }
    String base = value(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
    if (base != null) {
      endpoint = base;
    }
    String traces = value(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    if (traces != null) {
      tracesEndpoint = traces;
    }
    for (String name :
        new String[] {"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"}) {
      String h = value(env, name);
      if (h != null) {
        for (Map.Entry<String, String> e : keyValues(h, name)) {
          headers.put(e.getKey(), e.getValue());
        }
      }
    }
    String t = first(env, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT");
    if (t != null) {
      timeout = Duration.ofMillis(number(t, "OTEL_EXPORTER_OTLP_TIMEOUT"));
    }
    String c =
        first(env, "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION");
    if (c != null) {
      compression = c;
    }
    String q = value(env, "OTEL_BSP_MAX_QUEUE_SIZE");
    if (q != null) {
      maxQueueSize = (int) number(q, "OTEL_BSP_MAX_QUEUE_SIZE");
    }
    String b = value(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE");
    if (b != null) {
      maxExportBatchSize = (int) number(b, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE");
      maxExportBatchSizeSet = true;
    }
    String d = value(env, "OTEL_BSP_SCHEDULE_DELAY");
    if (d != null) {
      scheduleDelay = Duration.ofMillis(number(d, "OTEL_BSP_SCHEDULE_DELAY"));
    }
    return this;
  }

  /**
   * The endpoint the exporter will use: the traces URL as given, else the base URL (or the
   * protocol's default) with {@code /v1/traces} appended for OTLP/HTTP.
   */
  String resolvedEndpoint() {
    if (tracesEndpoint != null && !tracesEndpoint.isBlank()) {
      return tracesEndpoint;
    }
    String base = endpoint != null && !endpoint.isBlank() ? endpoint : protocol.defaultEndpoint();
    if (protocol == OtlpProtocol.GRPC) {
      return base;
    }
    return base.endsWith("/") ? base + "v1/traces" : base + "/v1/traces";
  }

  /**
   * Builds the instance and starts its export thread.
   *
   * @throws IllegalArgumentException naming the setting when one is invalid
   */
  public Tierscope build() {
    require(protocol != null, "protocol", "must be set");
    require(timeout != null && timeout.toMillis() >= 1, "timeout", "must be at least 1 ms");
    require(
        "none".equals(compression) || "gzip".equals(compression),
        "compression",
        "must be gzip or none, got '" + compression + "'");
    require(maxQueueSize >= 1, "maxQueueSize", "must be at least 1, got " + maxQueueSize);
    int batchSize =
        maxExportBatchSizeSet ? maxExportBatchSize : Math.min(maxExportBatchSize, maxQueueSize);
    require(
        batchSize >= 1 && batchSize <= maxQueueSize,
        "maxExportBatchSize",
        "must be between 1 and maxQueueSize (" + maxQueueSize + "), got " + batchSize);
    require(
        scheduleDelay != null && scheduleDelay.toMillis() >= 1,
        "scheduleDelay",
        "must be at least 1 ms");
    for (Map.Entry<String, String> h : headers.entrySet()) {
      require(
          h.getKey() != null && !h.getKey().isBlank() && h.getValue() != null,
          "header",
          "needs a name and a value, got '" + h.getKey() + "'");
    }

    String service =
        serviceName == null || serviceName.isBlank() ? "unknown_service:java" : serviceName;
    AttributesBuilder attributes = Attributes.builder();
    resourceAttributes.forEach(
        (k, v) -> {
          if (k != null && v != null) {
            attributes.put(k, v);
          }
        });
    attributes.put(SpanAttributes.SERVICE_NAME, service);
    if (tenant != null && !tenant.isBlank()) {
      attributes.put(SpanAttributes.TENANT, tenant);
    }
    Resource resource = Resource.getDefault().merge(Resource.create(attributes.build()));

    String target;
    SpanExporter exporter;
    if (spanExporter != null) {
      exporter = spanExporter;
      target = spanExporter.toString();
    } else {
      target = resolvedEndpoint();
      URI uri;
      try {
        uri = URI.create(target);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("endpoint is not a URL: '" + target + "'", e);
      }
      require(
          ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
              && uri.getHost() != null,
          "endpoint",
          "must be an http:// or https:// URL with a host, got '" + target + "'");
      exporter = otlpExporter(target);
    }

    ExportCounters counters = new ExportCounters();
    BatchSpanProcessor batch =
        BatchSpanProcessor.builder(new CountingSpanExporter(exporter, counters))
            .setMaxQueueSize(maxQueueSize)
            .setMaxExportBatchSize(batchSize)
            .setScheduleDelay(scheduleDelay)
            // Give the exporter its own timeout (and retries) before the processor gives up.
            .setExporterTimeout(timeout.plusSeconds(1))
            .build();
    var providerBuilder =
        SdkTracerProvider.builder()
            .setResource(resource)
            // SLOs count every request: no sampling, whatever the caller's sampled flag says.
            .setSampler(Sampler.alwaysOn())
            .addSpanProcessor(new BoundedSpanProcessor(batch, maxQueueSize, counters));
    if (idGenerator != null) {
      providerBuilder.setIdGenerator(idGenerator);
    }
    return new Tierscope(
        providerBuilder.build(), counters, service, target, timeout.plusSeconds(1));
  }

  private SpanExporter otlpExporter(String url) {
    if (protocol == OtlpProtocol.GRPC) {
      OtlpGrpcSpanExporterBuilder b =
          OtlpGrpcSpanExporter.builder()
              .setEndpoint(url)
              .setTimeout(timeout)
              .setCompression(compression);
      headers.forEach(b::addHeader);
      return b.build();
    }
    OtlpHttpSpanExporterBuilder b =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(url)
            .setTimeout(timeout)
            .setCompression(compression);
    headers.forEach(b::addHeader);
    return b.build();
  }

  private static void require(boolean ok, String setting, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("Tierscope " + setting + " " + problem);
    }
  }

  private static String value(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static String first(Map<String, String> env, String preferred, String general) {
    String v = value(env, preferred);
    return v != null ? v : value(env, general);
  }

  private static long number(String value, String variable) {
    try {
      long n = Long.parseLong(value);
      if (n < 0) {
        throw new NumberFormatException("negative");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          variable + " must be a non-negative integer, got '" + value + "'", e);
    }
  }

  /** {@code k=v,k2=v2} with URL-encoded keys and values (the OpenTelemetry list format). */
  static Iterable<Map.Entry<String, String>> keyValues(String list, String variable) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : list.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            variable + " must be a list of key=value pairs, got '" + pair.trim() + "'");
      }
      String key = decode(pair.substring(0, eq).trim(), variable);
      String val = decode(pair.substring(eq + 1).trim(), variable);
      out.put(key, val);
    }
    return out.entrySet();
  }

  private static String decode(String s, String variable) {
    try {
      // URLDecoder turns '+' into a space; the W3C baggage format keeps it.
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(variable + " has an invalid %-escape in '" + s + "'", e);
    }
  }
}
