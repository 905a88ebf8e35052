package dev.tierscope.sdk.admission;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Tierscope's admission and degradation advice for a gateway, cached in memory and kept fresh over
 * one streaming connection, so that the gateway asks per request without any I/O.
 *
 * <p>Why a stream: a surge saturates a model tier within seconds, so a signal must reach every
 * gateway at once; polling every second would cost a request per gateway per second and still lag.
 * The advisor subscribes to {@code GET /api/v1/control/stream} (server-sent events) and reconnects
 * with backoff when the connection drops; each (re)connection starts with every current signal.
 *
 * <p>Fail open: a signal holds until its {@code expiresAt}. Without a valid signal (Tierscope
 * unreachable, or silent for longer than the signals' lifetime) every class is admitted, so the
 * advisor can never stop traffic on its own.
 *
 * <pre>{@code
 * AdmissionAdvisor advisor = AdmissionAdvisor.builder()
 *     .endpoint("http://tierscope-api:8080").tenant("acme").build();
 * // per request, in the gateway:
 * Advice advice = advisor.advise("standard_interactive");
 * gatewaySpan.admission(advice.admission()).degradation(advice.degradationLevel());
 * switch (advice.action()) {
 *   case ADMIT -> serve(request);
 *   case DEGRADE -> serve(request, plan(advice.degradationLevel()));
 *   case DEFER -> reply(429, "Retry-After: 30");
 *   case SHED -> reply(503);
 * }
 * advisor.close();
 * }</pre>
 */
public final class AdmissionAdvisor implements AutoCloseable {

  private static final Logger log = Logger.getLogger(AdmissionAdvisor.class.getName());

  /**
   * Told about every change of a class's decision (on the advisor's thread; keep it short). A class
   * not heard of yet counts as admitted, so a first signal of {@code admit} is no change.
   */
  @FunctionalInterface
  public interface Listener {
    void changed(Advice previous, Advice current);
  }

  private final URI streamUri;
  private final URI snapshotUri;
  private final String tenant;
  private final Clock clock;
  private final Duration maxBackoff;
  private final Listener listener;
  private final HttpClient http;
  private final String authorization;
  private final Map<String, Advice> advice = new ConcurrentHashMap<>();
  private final CountDownLatch firstSignals = new CountDownLatch(1);
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;
  private volatile Stream<String> current;

  private AdmissionAdvisor(Builder b) {
    String base =
        b.endpoint.endsWith("/") ? b.endpoint.substring(0, b.endpoint.length() - 1) : b.endpoint;
    String query = "?tenant=" + URLEncoder.encode(b.tenant, StandardCharsets.UTF_8);
    this.streamUri = URI.create(base + "/api/v1/control/stream" + query);
    this.snapshotUri = URI.create(base + "/api/v1/control" + query);
    this.tenant = b.tenant;
    this.clock = b.clock;
    this.maxBackoff = b.maxBackoff;
    this.listener = b.listener;
    this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout).build();
    this.authorization = b.bearerToken == null ? null : "Bearer " + b.bearerToken;
    this.thread = new Thread(this::run, "tierscope-admission-advisor");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** A builder; {@link Builder#endpoint} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The advice for {@code trafficClass} now: the last signal heard while it is valid, else admit.
   * No I/O; safe from any thread.
   */
  public Advice advise(String trafficClass) {
    Advice a = advice.get(trafficClass);
    if (a == null || a.expiresAt() == null || !clock.instant().isBefore(a.expiresAt())) {
      return Advice.admit(trafficClass);
    }
    return a;
  }

  /** The tenant whose signals this advisor follows. */
  public String tenant() {
    return tenant;
  }

  /**
   * Waits until the first signals arrived (from the stream), at most {@code timeout}.
   *
   * @return true when they did
   */
  public boolean awaitSignals(Duration timeout) throws InterruptedException {
    return firstSignals.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Reads every current signal once with a plain {@code GET /api/v1/control}, besides the stream
   * (for a gateway that wants the state before its first request).
   *
   * @throws IOException when Tierscope cannot be reached or answers with an error
   */
  public void refresh() throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            request(snapshotUri)
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + snapshotUri + " answered " + r.statusCode());
    }
    accept(r.body());
  }

  /** Signals received so far (including repeats). */
  public long signalsReceived() {
    return received.get();
  }

  /** Stream connections made so far. */
  public long connections() {
    return connections.get();
  }

  /** Closes the stream; {@link #advise} then admits once the cached signals expire. */
  @Override
  public void close() {
    closed = true;
    Stream<String> s = current;
    if (s != null) {
      s.close();
    }
    thread.interrupt();
  }

  private void run() {
    Duration backoff = Duration.ofMillis(250);
    while (!closed) {
      try {
        HttpResponse<Stream<String>> r =
            http.send(
                request(streamUri).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
          r.body().close();
          if (r.statusCode() == 401 || r.statusCode() == 403) {
            // a configuration problem (token missing, wrong or without the read scope): say so
            log.warning(
                "admission stream "
                    + streamUri
                    + " answered "
                    + r.statusCode()
                    + "; check the bearer token (the read scope, this tenant); admitting all");
          }
          throw new IOException("GET " + streamUri + " answered " + r.statusCode());
        }
        connections.incrementAndGet();
        backoff = Duration.ofMillis(250);
        try (Stream<String> lines = r.body()) {
          current = lines;
          StringBuilder data = new StringBuilder();
          for (var it = lines.iterator(); it.hasNext() && !closed; ) {
            String line = it.next();
            if (line.isEmpty()) {
              if (data.length() > 0) {
                accept(data.toString());
                data.setLength(0);
              }
            } else if (line.startsWith("data:")) {
              if (data.length() > 0) {
                data.append('\n');
              }
              data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
            }
            // "event:", "id:" and ":" comment lines carry nothing the advisor needs
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        log.log(Level.FINE, "admission stream " + streamUri + " failed; reconnecting", e);
      }
      if (closed) {
        return;
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      backoff = backoff.multipliedBy(2);
      if (backoff.compareTo(maxBackoff) > 0) {
        backoff = maxBackoff;
      }
    }
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  private void accept(String json) {
    try {
      for (SignalJson.Signal s : SignalJson.parse(json)) {
        if (s.tenant() != null && !s.tenant().equals(tenant)) {
          continue;
        }
        received.incrementAndGet();
        Advice next = s.advice();
        Advice prev = advice.put(next.trafficClass(), next);
        Advice before = prev == null ? Advice.admit(next.trafficClass()) : prev;
        if (listener != null && !before.decision().equals(next.decision())) {
          listener.changed(before, next);
        }
      }
      firstSignals.countDown();
    } catch (RuntimeException e) {
      log.log(Level.WARNING, "ignored an unreadable control signal: " + e.getMessage());
    }
  }

  /** Configures an {@link AdmissionAdvisor}. */
  public static final class Builder {
    private String endpoint;
    private String tenant = "default";
    private Clock clock = Clock.systemUTC();
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private Listener listener;
    private String bearerToken;

    private Builder() {}

    /** Base URL of the Tierscope API, such as {@code http://127.0.0.1:8080}. Required. */
    public Builder endpoint(String endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** The tenant whose signals to follow; {@code default} unless set. */
    public Builder tenant(String tenant) {
      this.tenant = Objects.requireNonNull(tenant, "tenant");
      return this;
    }

    /** The clock signals expire against; the system clock unless set. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Connect timeout of the stream; 5 s unless set. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Longest wait between reconnection attempts; 10 s unless set. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
      return this;
    }

    /**
     * A token with the {@code read} scope for the tenant, sent as {@code Authorization: Bearer}
     * when the API requires authentication ({@code tierscope.auth.mode=token}); none unless set.
     */
    public Builder bearerToken(String token) {
      this.bearerToken = Objects.requireNonNull(token, "token");
      return this;
    }

    /** Told about every change of a class's advice. */
    public Builder listener(Listener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Starts the advisor: its stream connects in the background.
     *
     * @throws IllegalStateException without an endpoint
     */
    public AdmissionAdvisor build() {
      if (endpoint == null || endpoint.isBlank()) {
        throw new IllegalStateException("an AdmissionAdvisor needs the API endpoint");
      }
      URI.create(endpoint); // fail fast on a malformed URL
      return new AdmissionAdvisor(this);
    }
  }

  @Override
  public String toString() {
    return "AdmissionAdvisor{"
        + streamUri
        + ", "
        + advice.size()
        + " classes, at "
        + Instant.now(clock)
        + "}";
  }
}
