package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A call to the model runtime: a streamed GenAI {@code chat} operation. Its start to its first
 * token is the model tier of TTFT (queue + prefill); the queue time is reported separately so the
 * two can be told apart.
 *
 * <pre>{@code
 * ModelSpan m = request.model("llama-3.1-8b").provider("vllm");
 * // ... the runtime reports it queued for 40 ms, then the first token arrives
 * m.queued(Duration.ofMillis(40)).firstToken();
 * // ... stream
 * m.tokens(1200, 350).end(Outcome.COMPLETED);
 * }</pre>
 */
public final class ModelSpan extends TierSpan<ModelSpan> {

  private final AtomicBoolean firstToken = new AtomicBoolean();
  private volatile boolean streamed = true;

  ModelSpan(Tierscope owner, Span span, Context parent) {
    super(owner, span, parent);
  }

  /** The provider or runtime ({@code gen_ai.provider.name}, e.g. {@code vllm}, {@code openai}). */
  public ModelSpan provider(String provider) {
    return attribute(SpanAttributes.GEN_AI_PROVIDER_NAME, provider);
  }

  /** Whether the response is streamed; true unless set otherwise. */
  public ModelSpan streamed(boolean streamed) {
    this.streamed = streamed;
    span.setAttribute(SpanAttributes.GEN_AI_REQUEST_STREAM, streamed);
    return this;
  }

  /** Time the request waited in the runtime's queue before prefill; null or negative is ignored. */
  public ModelSpan queued(Duration queue) {
    if (queue != null && !queue.isNegative()) {
      span.setAttribute(SpanAttributes.MODEL_QUEUE_MS, queue.toNanos() / 1e6);
    }
    return this;
  }

  /** Queue time in milliseconds (for example vLLM's {@code queue_time_ms}). */
  public ModelSpan queueMs(double queueMs) {
    if (queueMs >= 0 && Double.isFinite(queueMs)) {
      span.setAttribute(SpanAttributes.MODEL_QUEUE_MS, queueMs);
    }
    return this;
  }

  /** Input and output token counts; negative values are ignored. */
  public ModelSpan tokens(long input, long output) {
    if (input >= 0) {
      span.setAttribute(SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS, input);
    }
    if (output >= 0) {
      span.setAttribute(SpanAttributes.GEN_AI_USAGE_OUTPUT_TOKENS, output);
    }
    return this;
  }

  /** Records that the runtime produced the first token now. Later calls are ignored. */
  public ModelSpan firstToken() {
    return firstToken(null);
  }

  /** Records the first token at {@code at} (now when null). Later calls are ignored. */
  public ModelSpan firstToken(Instant at) {
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
  public ModelSpan chunk() {
    return chunk(null);
  }

  /** Records a chunk at {@code at} (now when null); the first one is also the first token. */
  public ModelSpan chunk(Instant at) {
    Instant when = at == null ? Instant.now() : at;
    firstToken(when);
    addChunk(when);
    return this;
  }

  /**
   * The largest gap between consecutive chunks and the stalls, when the caller measured them itself
   * (instead of calling {@link #chunk()} per chunk); a null gap or negative count is ignored.
   */
  public ModelSpan streamGaps(java.time.Duration maxGap, long stalls) {
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

  /** Ends the call now with {@code outcome}. */
  public void end(Outcome outcome) {
    end(outcome, null);
  }

  /** Ends the call at {@code end} (now when null) with {@code outcome}. */
  public void end(Outcome outcome, Instant end) {
    endWith(outcome, end, streamed);
  }
}
