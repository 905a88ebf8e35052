package dev.tierscope.ingest.publish;

import dev.tierscope.core.span.Span;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Makes spans durable; the future completes when every one was acknowledged or refused. */
public interface SpanPublisher {

  /**
   * Sends the spans; the returned future completes when each was either acknowledged or refused for
   * itself, a record that can never be published ({@link PublishResult#refused()}, e.g. larger than
   * Kafka takes), or exceptionally with the first failure that a retry may cure (Kafka unreachable,
   * no acknowledgement in time). Throws {@link PublishRejectedException} at once when the publisher
   * cannot take them now; never blocks for longer than the producer's {@code max.block.ms}.
   */
  CompletableFuture<PublishResult> publish(List<Span> spans);
}
