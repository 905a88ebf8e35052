package dev.tierscope.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An ingest that cannot be reached (nothing listens on the port) never reaches the application: a
 * whole request's spans are reported at once, and what could not be sent is counted.
 */
class UnreachableEndpointTest {

  /** A loopback port that nothing listens on: bound once, then released. */
  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void oneRagRequest(Tierscope t) {
    RequestSpan client = t.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "rag");
    RequestSpan gateway =
        t.request(TrafficClass.INTERACTIVE_PREMIUM, "rag").parent(client.headers()).start();
    gateway.policy("input").end();
    gateway.retrieval().end(true, false);
    ModelSpan model = gateway.model("llama").queueMs(12.5);
    model.firstToken();
    gateway.firstToken();
    client.firstToken();
    model.tokens(800, 200).end(Outcome.COMPLETED);
    gateway.end(Outcome.COMPLETED);
    client.end(Outcome.COMPLETED);
  }

  @Test
  void closedPortNeitherBlocksNorThrowsAndCountsWhatWasLost() throws Exception {
    for (OtlpProtocol protocol : OtlpProtocol.values()) {
      Tierscope t =
          Tierscope.builder()
              .protocol(protocol)
              .endpoint("http://127.0.0.1:" + closedPort())
              .timeout(Duration.ofMillis(300))
              .maxQueueSize(64)
              .scheduleDelay(Duration.ofMillis(5))
              .build();
      try {
        long started = System.nanoTime();
        oneRagRequest(t);
        long requestMillis = (System.nanoTime() - started) / 1_000_000;
        // Reporting a request is queueing five spans; the unreachable endpoint is not on this path.
        assertThat(requestMillis).as(protocol + ": one request's spans").isLessThan(1000);

        // Far more than the queue holds, while the exporter is failing: drops, never a wait.
        started = System.nanoTime();
        for (int i = 0; i < 200; i++) {
          oneRagRequest(t);
        }
        assertThat((System.nanoTime() - started) / 1_000_000)
            .as(protocol + ": 200 requests")
            .isLessThan(1000);
        assertThat(t.droppedSpans()).as(protocol + ": dropped").isPositive();

        assertThat(t.flush(Duration.ofSeconds(10))).as(protocol + ": flush succeeded").isFalse();
      } finally {
        t.close();
      }
      ExportStats stats = t.stats();
      assertThat(stats.ended()).isEqualTo(201 * 5);
      assertThat(stats.exported()).isZero();
      assertThat(stats.failed()).as(protocol + ": failed").isPositive();
      assertThat(stats.dropped() + stats.failed()).isEqualTo(stats.ended());
      assertThat(stats.pending()).isZero();
    }
  }
}
