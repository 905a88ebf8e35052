package dev.tierscope.ingest.publish;

import dev.tierscope.core.span.Span;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Makes spans durable; the future completes when every one was acknowledged. */
public interface SpanPublisher {

  /**
   * Sends the spans; the returned future completes when all were acknowledged, or exceptionally
   * with the first failure. Throws {@link PublishRejectedException} at once when the publisher
   * cannot take them now; never blocks for longer than the producer's {@code max.block.ms}.
   */
  CompletableFuture<Void> publish(List<Span> spans);
}
