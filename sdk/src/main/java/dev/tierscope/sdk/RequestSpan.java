package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The span of one user request as one vantage point saw it: the {@code client} (the app or edge
 * proxy that the user talks to; TTFT as the user feels it) or the {@code gateway} (the first server
 * of the request; TTFT as the service saw it). It carries the request's class and workflow, and on
 * a client span the edge attributes that explain a slow client path.
 *
 * <pre>{@code
 * RequestSpan request = tierscope.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "chat");
 * request.clientPath(ClientPath.VPN).protocolVersion("3").connectionType(ConnectionType.WIFI);
 * // ... send the request with request.headers(), wait for the first streamed chunk
 * request.firstToken();
 * // ... stream the rest
 * request.end(Outcome.COMPLETED);
 * }</pre>
 */
public final class RequestSpan extends TierSpan<RequestSpan> {

  private final String role;
  private final AtomicBoolean firstToken = new AtomicBoolean();
  private volatile boolean streamed;

  RequestSpan(Tierscope owner, Span span, Context parent, String role, boolean streamed) {
    super(owner, span, parent);
    this.role = role;
    this.streamed = streamed;
  }

  /** {@code client} or {@code gateway}. */
  public String role() {
    return role;
  }

  /** Whether the answer is streamed ({@code gen_ai.request.stream}); true unless set otherwise. */
  public RequestSpan streamed(boolean streamed) {
    this.streamed = streamed;
    span.setAttribute(SpanAttributes.GEN_AI_REQUEST_STREAM, streamed);
    return this;
  }

  /**
   * Records that the first token (chunk) reached this vantage point now. Later calls are ignored.
   */
  public RequestSpan firstToken() {
    return firstToken(null);
  }

  /** Records the first token at {@code at} (now when null). Later calls are ignored. */
  public RequestSpan firstToken(Instant at) {
    if (firstToken.compareAndSet(false, true)) {
      addFirstToken(at);
    }
    return this;
  }

  /**
   * Records that a chunk of the stream arrived now; the first one is also the first token. With at
   * least two chunks the span reports the largest gap between consecutive chunks and the stalls
   * (gaps longer than the stall threshold) when it ends.
   */
  public RequestSpan chunk() {
    return chunk(null);
  }

  /** Records a chunk at {@code at} (now when null); the first one is also the first token. */
  public RequestSpan chunk(Instant at) {
    Instant when = at == null ? Instant.now() : at;
    firstToken(when);
    addChunk(when);
    return this;
  }

  /**
   * The largest gap between consecutive chunks and the stalls, when the caller measured them itself
   * (instead of calling {@link #chunk()} per chunk); a null gap or negative count is ignored.
   */
  public RequestSpan streamGaps(java.time.Duration maxGap, long stalls) {
    gaps(maxGap, stalls);
    return this;
  }

  /**
   * Ends the stream now as interrupted ({@link Outcome#INTERRUPTED}) for {@code cause}: the time
   * into the stream is this span's start to now.
   */
  public void interrupted(InterruptionCause cause) {
    interrupted(cause, null);
  }

  /** Ends the stream at {@code end} (now when null) as interrupted for {@code cause}. */
  public void interrupted(InterruptionCause cause, Instant end) {
    cause(cause);
    end(Outcome.INTERRUPTED, end);
  }

  /** Ends the request now with {@code outcome}. */
  public void end(Outcome outcome) {
    end(outcome, null);
  }

  /** Ends the request at {@code end} (now when null) with {@code outcome}. */
  public void end(Outcome outcome, Instant end) {
    endWith(outcome, end, streamed);
  }

  // ---- admission control (meaningful on the gateway span)

  /**
   * What the gateway did with the request ({@code tierscope.admission}): admitted, deferred or
   * shed. Deferred and shed requests have no first token; end them with {@link Outcome#FAILED} (or
   * {@link Outcome#INTERRUPTED} for a stream cancelled while it ran).
   */
  public RequestSpan admission(Admission admission) {
    if (admission != null) {
      span.setAttribute(SpanAttributes.ADMISSION, admission.value());
    }
    return this;
  }

  /**
   * The degradation level the request was served with ({@code tierscope.degradation}): 0 for none,
   * 1 compressed retrieval breadth, 2 single-tool plans, 3 concise answers. Values outside 0-3 are
   * ignored.
   */
  public RequestSpan degradation(int level) {
    if (level >= 0 && level <= 3) {
      span.setAttribute(SpanAttributes.DEGRADATION, level);
    }
    return this;
  }

  // ---- edge attributes (meaningful on the client span)

  /** The client's network path ({@code tierscope.client.path}). */
  public RequestSpan clientPath(ClientPath path) {
    if (path != null) {
      span.setAttribute(SpanAttributes.CLIENT_PATH, path.value());
    }
    return this;
  }

  /**
   * The HTTP version the request used ({@code 1.1}, {@code 2}, {@code 3}); also sets {@code
   * network.protocol.name=http}.
   */
  public RequestSpan protocolVersion(String version) {
    if (version != null) {
      span.setAttribute(SpanAttributes.NETWORK_PROTOCOL_NAME, "http");
      span.setAttribute(SpanAttributes.NETWORK_PROTOCOL_VERSION, version);
    }
    return this;
  }

  /** Whether the transport fell back to an older protocol (for example HTTP/3 to HTTP/2). */
  public RequestSpan protocolFallback(boolean fallback) {
    span.setAttribute(SpanAttributes.TRANSPORT_PROTOCOL_FALLBACK, fallback);
    return this;
  }

  /** Transport retransmissions the client saw during this request; negative values are ignored. */
  public RequestSpan retransmits(long retransmits) {
    if (retransmits >= 0) {
      span.setAttribute(SpanAttributes.TRANSPORT_RETRANSMITS, retransmits);
    }
    return this;
  }

  /** The client's access link ({@code network.connection.type}). */
  public RequestSpan connectionType(ConnectionType type) {
    if (type != null) {
      span.setAttribute(SpanAttributes.NETWORK_CONNECTION_TYPE, type.value());
    }
    return this;
  }
}
