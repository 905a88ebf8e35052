package dev.tierscope.ingest.publish;

import java.util.List;

class InMemorySpanPublisherTest extends SpanPublisherContract {

  @Override
  SpanPublisher publisher(long maxInFlightBytes, int maxRecordBytes) {
    return new InMemorySpanPublisher(maxRecordBytes);
  }

  @Override
  List<Published> published(SpanPublisher publisher, int expected) {
    return ((InMemorySpanPublisher) publisher)
        .records().stream().map(r -> new Published(r.key(), r.span())).toList();
  }

  @Override
  void makeUnavailable(SpanPublisher publisher) {
    ((InMemorySpanPublisher) publisher).close();
  }
}
