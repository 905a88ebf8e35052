package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Configuration of a {@link Tierscope} instance, in one of two modes.
 *
 * <p><b>On the application's OpenTelemetry</b> ({@link #openTelemetry(OpenTelemetry)} or {@link
 * #globalOpenTelemetry()}): the SDK's spans go through the application's tracer provider (the one
 * the OpenTelemetry Java agent, Spring Boot or the application itself set up), join the
 * application's traces and are exported by its pipeline. Only {@link #tenant(String)} applies.
 *
 * <p><b>Standalone</b> (the default): the SDK runs its own OpenTelemetry SDK and OTLP exporter,
 * configured by OpenTelemetry's own autoconfiguration ({@code
 * opentelemetry-sdk-extension-autoconfigure}): every standard {@code OTEL_*} environment variable
 * and {@code otel.*} system property works as in any OpenTelemetry SDK (endpoint, protocol,
 * headers, timeout, compression, certificates, retries, {@code OTEL_SERVICE_NAME}, {@code
 * OTEL_RESOURCE_ATTRIBUTES}, {@code OTEL_BSP_*}). Precedence, lowest first: Tierscope's defaults
 * (schedule delay 1 s), environment variables, system properties, {@link #environment(Map)},
 * explicit calls on this builder. {@link #build()} validates everything and fails with a message
 * naming the setting.
 *
 * <pre>{@code
 * // standalone: reads OTEL_EXPORTER_OTLP_ENDPOINT etc. when set
 * Tierscope tierscope = Tierscope.builder().serviceName("chat-api").tenant("acme").build();
 *
 * // on the application's OpenTelemetry (the Java agent's global one here)
 * Tierscope tierscope = Tierscope.builder().globalOpenTelemetry().build();
 * }</pre>
 */
public final class TierscopeBuilder {

  /** Default export timeout of the OpenTelemetry SDKs. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** The default {@link #stallThreshold}. */
  static final Duration DEFAULT_STALL_THRESHOLD = Duration.ofSeconds(1);

  /** Default bound of the export queue, in spans (the OpenTelemetry default). */
  public static final int DEFAULT_MAX_QUEUE_SIZE = 2048;

  /** Default largest export request, in spans (the OpenTelemetry default). */
  public static final int DEFAULT_MAX_EXPORT_BATCH_SIZE = 512;

  /**
   * Default delay between exports. Shorter than OpenTelemetry's 5 s: SLO windows are 10 s wide, and
   * a request should reach its window while the window is still open.
   */
  public static final Duration DEFAULT_SCHEDULE_DELAY = Duration.ofSeconds(1);

  // The autoconfiguration property names this builder reads or sets.
  static final String ENDPOINT = "otel.exporter.otlp.endpoint";
  static final String TRACES_ENDPOINT = "otel.exporter.otlp.traces.endpoint";
  static final String PROTOCOL = "otel.exporter.otlp.protocol";
  static final String TRACES_PROTOCOL = "otel.exporter.otlp.traces.protocol";
  static final String HEADERS = "otel.exporter.otlp.headers";
  static final String TRACES_HEADERS = "otel.exporter.otlp.traces.headers";
  static final String TIMEOUT = "otel.exporter.otlp.timeout";
  static final String TRACES_TIMEOUT = "otel.exporter.otlp.traces.timeout";
  static final String COMPRESSION = "otel.exporter.otlp.compression";
  static final String TRACES_COMPRESSION = "otel.exporter.otlp.traces.compression";
  static final String SERVICE_NAME = "otel.service.name";
  static final String BSP_QUEUE = "otel.bsp.max.queue.size";
  static final String BSP_BATCH = "otel.bsp.max.export.batch.size";
  static final String BSP_DELAY = "otel.bsp.schedule.delay";
  static final String BSP_EXPORT_TIMEOUT = "otel.bsp.export.timeout";

  /**
   * Whether the {@link BaggageSpanProcessor} is added to an autoconfigured OpenTelemetry SDK
   * (default true; environment variable {@code TIERSCOPE_SDK_BAGGAGE_ENABLED}). See {@link
   * TierscopeAutoConfigurationCustomizerProvider}.
   */
  public static final String BAGGAGE_ENABLED_PROPERTY = "tierscope.sdk.baggage.enabled";

  private OpenTelemetry openTelemetry;
  private boolean globalOpenTelemetry;
  private final Set<String> standaloneSettings = new LinkedHashSet<>();

  private String endpoint;
  private String tracesEndpoint;
  private OtlpProtocol protocol;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private Duration timeout;
  private String compression;
  private String serviceName;
  private String tenant;
  private Duration stallThreshold = DEFAULT_STALL_THRESHOLD;
  private final Map<String, String> resourceAttributes = new LinkedHashMap<>();
  private Integer maxQueueSize;
  private Integer maxExportBatchSize;
  private Duration scheduleDelay;
  private SpanExporter spanExporter;
  private IdGenerator idGenerator;
  private final Map<String, String> environment = new LinkedHashMap<>();

  TierscopeBuilder() {}

  // ---- mode

  /**
   * Builds on the application's {@code openTelemetry}: the SDK's spans are created by its tracer
   * provider, nest under its current spans and are exported by its pipeline. Closing the SDK does
   * not shut it down.
   */
  public TierscopeBuilder openTelemetry(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    this.globalOpenTelemetry = false;
    return this;
  }

  /**
   * Builds on the global OpenTelemetry instance, the one the OpenTelemetry Java agent (or the
   * application) installed. {@link #build()} fails when none is installed.
   */
  public TierscopeBuilder globalOpenTelemetry() {
    this.openTelemetry = null;
    this.globalOpenTelemetry = true;
    return this;
  }

  // ---- both modes

  /**
   * The tenant ({@code tierscope.tenant}); Tierscope uses {@code default} when unset. Standalone it
   * is a resource attribute; on the application's OpenTelemetry every span the SDK starts carries
   * it. Either way request spans put it into Baggage for the spans below and downstream.
   */
  public TierscopeBuilder tenant(String tenant) {
    // Blank means unset, as an empty property or variable does.
    this.tenant = tenant == null || tenant.isBlank() ? null : tenant.trim();
    return this;
  }

  /**
   * A gap between two chunks of a stream ({@code chunk()} on a request or model span) longer than
   * this counts as a stall ({@code tierscope.stream.stalls}); default 1 s, the ingest's default
   * {@code tierscope.ingest.stall-threshold}. Between 1 ms and 10 minutes; {@link #build()} fails
   * otherwise.
   */
  public TierscopeBuilder stallThreshold(Duration threshold) {
    this.stallThreshold = threshold;
    return this;
  }

  // ---- standalone only

  /**
   * Base URL of the OTLP endpoint, e.g. {@code http://127.0.0.1:4318}; for OTLP/HTTP {@code
   * /v1/traces} is appended (as for {@code OTEL_EXPORTER_OTLP_ENDPOINT}). Default {@code
   * http://localhost:4318} (HTTP) or {@code http://localhost:4317} (gRPC). Wins over the
   * environment's endpoints.
   */
  public TierscopeBuilder endpoint(String baseUrl) {
    standaloneSettings.add("endpoint");
    this.endpoint = baseUrl;
    return this;
  }

  /**
   * Full URL of the traces endpoint, used as it is (as for {@code
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}); takes precedence over {@link #endpoint(String)}.
   */
  public TierscopeBuilder tracesEndpoint(String url) {
    standaloneSettings.add("tracesEndpoint");
    this.tracesEndpoint = url;
    return this;
  }

  /** OTLP/HTTP protobuf (default) or OTLP/gRPC. */
  public TierscopeBuilder protocol(OtlpProtocol protocol) {
    standaloneSettings.add("protocol");
    this.protocol = protocol;
    return this;
  }

  /**
   * Adds a header to every export request (for example an API key), besides the configured ones.
   */
  public TierscopeBuilder header(String name, String value) {
    standaloneSettings.add("header");
    headers.put(name, value);
    return this;
  }

  /** Longest wait for one export, retries included (default 10 s). */
  public TierscopeBuilder timeout(Duration timeout) {
    standaloneSettings.add("timeout");
    this.timeout = timeout;
    return this;
  }

  /** {@code gzip} or {@code none} (default). */
  public TierscopeBuilder compression(String compression) {
    standaloneSettings.add("compression");
    this.compression = compression;
    return this;
  }

  /** The reporting service ({@code service.name}); default {@code unknown_service:java}. */
  public TierscopeBuilder serviceName(String serviceName) {
    standaloneSettings.add("serviceName");
    this.serviceName = serviceName;
    return this;
  }

  /** Adds a resource attribute (for example {@code deployment.environment.name}). */
  public TierscopeBuilder resourceAttribute(String key, String value) {
    standaloneSettings.add("resourceAttribute");
    resourceAttributes.put(key, value);
    return this;
  }

  /**
   * Bound of the export queue in spans (default 2048). A span ended while the queue is full is
   * dropped and counted; the application never waits.
   */
  public TierscopeBuilder maxQueueSize(int spans) {
    standaloneSettings.add("maxQueueSize");
    this.maxQueueSize = spans;
    return this;
  }

  /**
   * Largest export request in spans (default 512, or the queue size when that is smaller); at most
   * {@link #maxQueueSize(int)}.
   */
  public TierscopeBuilder maxExportBatchSize(int spans) {
    standaloneSettings.add("maxExportBatchSize");
    this.maxExportBatchSize = spans;
    return this;
  }

  /** Longest time a span waits in the queue before an export starts (default 1 s). */
  public TierscopeBuilder scheduleDelay(Duration delay) {
    standaloneSettings.add("scheduleDelay");
    this.scheduleDelay = delay;
    return this;
  }

  /**
   * Exports through {@code exporter} instead of OTLP (for tests, or a collector-specific exporter);
   * the endpoint settings are then ignored. The exporter is shut down with the SDK.
   */
  public TierscopeBuilder spanExporter(SpanExporter exporter) {
    standaloneSettings.add("spanExporter");
    this.spanExporter = exporter;
    return this;
  }

  /** Generates trace and span ids (default: random, as OpenTelemetry does). */
  public TierscopeBuilder idGenerator(IdGenerator idGenerator) {
    standaloneSettings.add("idGenerator");
    this.idGenerator = idGenerator;
    return this;
  }

  /**
   * Applies the {@code OTEL_*} variables of {@code env} (blank values are ignored) over what the
   * process environment and system properties say. Every variable of OpenTelemetry's SDK
   * configuration is understood, read by OpenTelemetry's autoconfiguration; the {@code _TRACES_}
   * variants win over the general ones. Calls on this builder override them.
   */
  public TierscopeBuilder environment(Map<String, String> env) {
    standaloneSettings.add("environment");
    if (env != null) {
      env.forEach(
          (name, value) -> {
            if (name != null && name.startsWith("OTEL_") && value != null && !value.isBlank()) {
              environment.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
            }
          });
    }
    return this;
  }

  // ---- build

  /**
   * Builds the instance; standalone, it also starts the export thread.
   *
   * @throws IllegalArgumentException naming the setting when one is invalid
   */
  public Tierscope build() {
    require(
        stallThreshold != null
            && stallThreshold.toMillis() >= 1
            && stallThreshold.compareTo(Duration.ofMinutes(10)) <= 0,
        "stallThreshold",
        "must be between 1ms and 10m, got " + stallThreshold);
    if (openTelemetry != null || globalOpenTelemetry) {
      return buildShared();
    }
    Standalone standalone = new Standalone();
    AutoConfiguredOpenTelemetrySdk auto;
    try {
      auto =
          AutoConfiguredOpenTelemetrySdk.builder()
              .disableShutdownHook()
              .addPropertiesSupplier(
                  () -> Map.of(BSP_DELAY, Long.toString(DEFAULT_SCHEDULE_DELAY.toMillis())))
              .addPropertiesCustomizer(config -> environment)
              .addPropertiesCustomizer(standalone::overrides)
              .addResourceCustomizer(standalone::resource)
              .addSamplerCustomizer((sampler, config) -> Sampler.alwaysOn())
              .addSpanExporterCustomizer(
                  (exporter, config) -> new CountingSpanExporter(exporter, standalone.counters))
              .addSpanProcessorCustomizer(standalone::bounded)
              .addTracerProviderCustomizer(standalone::tracerProvider)
              .build();
    } catch (ConfigurationException e) {
      if (e.getCause() instanceof IllegalArgumentException own
          && own.getMessage() != null
          && own.getMessage().startsWith("Tierscope ")) {
        throw own;
      }
      throw new IllegalArgumentException("Tierscope configuration: " + e.getMessage(), e);
    }
    OpenTelemetrySdk sdk = auto.getOpenTelemetrySdk();
    return Tierscope.standalone(
        sdk,
        standalone.counters,
        standalone.service,
        standalone.target,
        standalone.timeout.plusSeconds(1),
        tenant,
        stallThreshold);
  }

  private Tierscope buildShared() {
    require(
        standaloneSettings.isEmpty(),
        String.join(", ", standaloneSettings),
        "only applies to the standalone SDK; on the application's OpenTelemetry its own"
            + " configuration decides where spans go");
    OpenTelemetry otel = openTelemetry;
    if (globalOpenTelemetry) {
      require(
          GlobalOpenTelemetry.isSet(),
          "globalOpenTelemetry",
          "needs a global OpenTelemetry, but none is installed (no OpenTelemetry Java agent, and"
              + " the application did not call GlobalOpenTelemetry.set)");
      otel = GlobalOpenTelemetry.get();
    }
    return Tierscope.shared(otel, tenant, stallThreshold);
  }

  /** The state of one standalone build: the configuration it resolved and its counters. */
  private final class Standalone {
    final ExportCounters counters = new ExportCounters();
    String service;
    String target;
    Duration timeout = DEFAULT_TIMEOUT;
    int queue;
    int batch;
    Duration delay;
    Duration exportTimeout;

    /** Explicit settings and derived defaults, applied over every other configuration source. */
    Map<String, String> overrides(ConfigProperties c) {
      Map<String, String> o = new HashMap<>();
      // Tierscope sends traces only, over OTLP (or to the given exporter), sampling everything.
      o.put("otel.traces.exporter", spanExporter != null ? "none" : "otlp");
      o.put("otel.metrics.exporter", "none");
      o.put("otel.logs.exporter", "none");
      // The SDK's own spans carry their tags already; there is no other instrumentation here.
      o.put(BAGGAGE_ENABLED_PROPERTY, "false");

      String proto;
      if (protocol != null) {
        proto = protocol.value();
      } else {
        proto = c.getString(TRACES_PROTOCOL, c.getString(PROTOCOL, "http/protobuf"));
        try {
          OtlpProtocol.fromValue(proto);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "Tierscope protocol ("
                  + TRACES_PROTOCOL
                  + ", OTEL_EXPORTER_OTLP_PROTOCOL) must be http/protobuf or grpc, got '"
                  + proto
                  + "'",
              e);
        }
      }
      // Always explicit: OpenTelemetry Java's own default is gRPC, Tierscope's is OTLP/HTTP.
      o.put(TRACES_PROTOCOL, proto);
      boolean grpc = OtlpProtocol.GRPC.value().equals(proto);
      if (tracesEndpoint != null && !tracesEndpoint.isBlank()) {
        o.put(TRACES_ENDPOINT, tracesEndpoint);
      } else if (endpoint != null && !endpoint.isBlank()) {
        o.put(TRACES_ENDPOINT, grpc ? endpoint : withTracesPath(endpoint));
      }
      target = o.getOrDefault(TRACES_ENDPOINT, resolvedEndpoint(c, grpc));
      URI uri;
      try {
        uri = URI.create(target);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Tierscope endpoint is not a URL: '" + target + "'", e);
      }
      require(
          ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
              && uri.getHost() != null,
          "endpoint",
          "must be an http:// or https:// URL with a host, got '" + target + "'");

      Duration explicitTimeout = TierscopeBuilder.this.timeout;
      if (explicitTimeout != null) {
        require(explicitTimeout.toMillis() >= 1, "timeout", "must be at least 1 ms");
        o.put(TRACES_TIMEOUT, Long.toString(explicitTimeout.toMillis()));
        timeout = explicitTimeout;
      } else {
        timeout = c.getDuration(TRACES_TIMEOUT, c.getDuration(TIMEOUT, DEFAULT_TIMEOUT));
      }
      if (compression != null) {
        require(
            "none".equals(compression) || "gzip".equals(compression),
            "compression",
            "must be gzip or none, got '" + compression + "'");
        o.put(TRACES_COMPRESSION, compression);
      }
      if (!headers.isEmpty()) {
        Map<String, String> configured = c.getMap(TRACES_HEADERS);
        if (configured.isEmpty()) {
          configured = c.getMap(HEADERS);
        }
        // Configured values are URL-encoded; the list written back is encoded once more below.
        Map<String, String> all = new LinkedHashMap<>();
        configured.forEach((k, v) -> all.put(k, URLDecoder.decode(v, StandardCharsets.UTF_8)));
        StringJoiner list = new StringJoiner(",");
        for (Map.Entry<String, String> h : headers.entrySet()) {
          require(
              h.getKey() != null
                  && !h.getKey().isBlank()
                  && h.getKey().indexOf(',') < 0
                  && h.getKey().indexOf('=') < 0
                  && h.getValue() != null,
              "header",
              "needs a name (without ',' or '=') and a value, got '" + h.getKey() + "'");
          all.put(h.getKey(), h.getValue());
        }
        // The exporter URL-decodes configured header values.
        all.forEach((k, v) -> list.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        o.put(TRACES_HEADERS, list.toString());
      }
      if (serviceName != null && !serviceName.isBlank()) {
        o.put(SERVICE_NAME, serviceName);
      }

      queue = maxQueueSize != null ? maxQueueSize : c.getInt(BSP_QUEUE, DEFAULT_MAX_QUEUE_SIZE);
      require(queue >= 1, "maxQueueSize (" + BSP_QUEUE + ")", "must be at least 1, got " + queue);
      o.put(BSP_QUEUE, Integer.toString(queue));
      Integer configuredBatch = c.getInt(BSP_BATCH);
      batch =
          maxExportBatchSize != null
              ? maxExportBatchSize
              : configuredBatch != null
                  ? configuredBatch
                  : Math.min(DEFAULT_MAX_EXPORT_BATCH_SIZE, queue);
      require(
          batch >= 1 && batch <= queue,
          "maxExportBatchSize (" + BSP_BATCH + ")",
          "must be between 1 and maxQueueSize (" + queue + "), got " + batch);
      o.put(BSP_BATCH, Integer.toString(batch));
      delay = scheduleDelay != null ? scheduleDelay : c.getDuration(BSP_DELAY);
      require(
          delay != null && delay.toMillis() >= 1,
          "scheduleDelay (" + BSP_DELAY + ")",
          "must be at least 1 ms");
      o.put(BSP_DELAY, Long.toString(delay.toMillis()));
      // Give the exporter its own timeout (and retries) before the processor gives up on it.
      exportTimeout = c.getDuration(BSP_EXPORT_TIMEOUT, timeout.plusSeconds(1));
      o.put(BSP_EXPORT_TIMEOUT, Long.toString(exportTimeout.toMillis()));
      return o;
    }

    Resource resource(Resource resource, ConfigProperties c) {
      AttributesBuilder attributes = Attributes.builder();
      resourceAttributes.forEach(
          (k, v) -> {
            if (k != null && v != null) {
              attributes.put(k, v);
            }
          });
      if (tenant != null) {
        attributes.put(SpanAttributes.TENANT, tenant);
      }
      Resource merged = resource.merge(Resource.create(attributes.build()));
      if (serviceName != null && !serviceName.isBlank()) {
        // An explicit name wins over OTEL_RESOURCE_ATTRIBUTES as well as OTEL_SERVICE_NAME.
        merged =
            merged.merge(
                Resource.create(Attributes.of(Tierscope.SERVICE_NAME_KEY, serviceName.trim())));
      }
      service = merged.getAttribute(Tierscope.SERVICE_NAME_KEY);
      return merged;
    }

    SpanProcessor bounded(SpanProcessor processor, ConfigProperties c) {
      // The batch processor autoconfiguration built for the OTLP exporter: admit spans only while
      // its queue has room, counting the rest.
      return processor instanceof BatchSpanProcessor
          ? new BoundedSpanProcessor(processor, queue, counters)
          : processor;
    }

    io.opentelemetry.sdk.trace.SdkTracerProviderBuilder tracerProvider(
        io.opentelemetry.sdk.trace.SdkTracerProviderBuilder b, ConfigProperties c) {
      if (spanExporter != null) {
        target = spanExporter.toString();
        BatchSpanProcessor batchProcessor =
            BatchSpanProcessor.builder(new CountingSpanExporter(spanExporter, counters))
                .setMaxQueueSize(queue)
                .setMaxExportBatchSize(batch)
                .setScheduleDelay(delay)
                .setExporterTimeout(exportTimeout)
                .build();
        b.addSpanProcessor(new BoundedSpanProcessor(batchProcessor, queue, counters));
      }
      if (idGenerator != null) {
        b.setIdGenerator(idGenerator);
      }
      return b;
    }
  }

  /**
   * The traces URL the OTLP exporter uses when nothing explicit is set: the traces URL as
   * configured, else the base URL (or the protocol's default) with {@code /v1/traces} appended for
   * OTLP/HTTP.
   */
  static String resolvedEndpoint(ConfigProperties c, boolean grpc) {
    String traces = c.getString(TRACES_ENDPOINT);
    if (traces != null && !traces.isBlank()) {
      return traces;
    }
    String base = c.getString(ENDPOINT);
    if (base == null || base.isBlank()) {
      base = (grpc ? OtlpProtocol.GRPC : OtlpProtocol.HTTP_PROTOBUF).defaultEndpoint();
    }
    return grpc ? base : withTracesPath(base);
  }

  private static String withTracesPath(String base) {
    return base.endsWith("/") ? base + "v1/traces" : base + "/v1/traces";
  }

  private static void require(boolean ok, String setting, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("Tierscope " + setting + " " + problem);
    }
  }
}
