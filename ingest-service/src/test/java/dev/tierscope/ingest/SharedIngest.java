package dev.tierscope.ingest;

import dev.tierscope.testsupport.TestInfra;
import java.util.Map;

/**
 * One ingest application for the ITs that only send to it (HTTP, gRPC, JS clients), started on
 * first use on the shared broker and closed when the JVM exits; each such IT reads its own traces
 * (random trace ids) from the one topic. Limits are lowered so that the 413 and too-many-attributes
 * paths are cheap to reach.
 */
final class SharedIngest {

  /** {@code tierscope.ingest.max-body-size} of the shared ingest. */
  static final int MAX_BODY_BYTES = 256 * 1024;

  /** {@code tierscope.ingest.max-attributes-per-span} of the shared ingest. */
  static final int MAX_ATTRIBUTES = 32;

  private static RunningIngest ingest;
  private static SpanTopic topic;

  private SharedIngest() {}

  static synchronized RunningIngest ingest() {
    if (ingest == null) {
      String name = TestInfra.uniqueName("ingest_spans");
      TestInfra.createTopic(name, 2);
      RunningIngest started =
          RunningIngest.start(
              TestInfra.bootstrapServers(),
              name,
              Map.of(
                  "tierscope.spans.partitions",
                  "2",
                  "tierscope.ingest.max-body-size",
                  MAX_BODY_BYTES + "B",
                  "tierscope.ingest.max-attributes-per-span",
                  Integer.toString(MAX_ATTRIBUTES),
                  "tierscope.ingest.retry-after",
                  "1s"));
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "shared-ingest-close"));
      ingest = started;
    }
    return ingest;
  }

  static synchronized SpanTopic topic() {
    if (topic == null) {
      RunningIngest i = ingest();
      topic = new SpanTopic(i.bootstrapServers(), i.topic());
    }
    return topic;
  }
}
