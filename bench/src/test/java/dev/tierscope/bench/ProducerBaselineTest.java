package dev.tierscope.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerBaselineTest {

  @TempDir Path dir;

  @Test
  void thePerfTestReadsRecordsOfTheSameSizeAndAboutTheSameCompressibility() throws Exception {
    SplittableRandom r = new SplittableRandom(3);
    List<byte[]> events = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      byte[] trace = new byte[16];
      byte[] span = new byte[8];
      for (int k = 0; k < 16; k++) {
        trace[k] = (byte) r.nextInt(256);
      }
      for (int k = 0; k < 8; k++) {
        span[k] = (byte) r.nextInt(256);
      }
      events.add(
          SpanEvent.newBuilder()
              .setTraceId(ByteString.copyFrom(trace))
              .setSpanId(ByteString.copyFrom(span))
              .setTenant("bench")
              .setService("bench-chat-service")
              .setRole(Role.forNumber(1 + i % 6))
              .setStartEpochNanos(1_795_000_000_000_000_000L + r.nextLong(1_000_000_000_000L))
              .setEndEpochNanos(1_795_000_001_000_000_000L + r.nextLong(1_000_000_000_000L))
              .build()
              .toByteArray());
    }
    Path file = ProducerBaseline.check(events, dir.resolve("payloads.txt"));

    List<byte[]> payloads = ProducerBaseline.readAsTheToolDoes(file);
    assertThat(payloads).hasSameSizeAs(events);
    for (int i = 0; i < events.size(); i++) {
      assertThat(payloads.get(i)).hasSize(events.get(i).length);
      assertThat(new String(payloads.get(i), java.nio.charset.StandardCharsets.US_ASCII))
          .doesNotContain("\n");
    }
    ProducerBaseline.Shape real = ProducerBaseline.shape(events);
    ProducerBaseline.Shape payload = ProducerBaseline.shape(payloads);
    assertThat(real.lz4Ratio()).isLessThan(0.9); // SpanEvents compress
    assertThat(payload.lz4Ratio()).isBetween(real.lz4Ratio() - 0.05, real.lz4Ratio() + 0.05);

    // random bytes of the same size, which is what --record-size sends, would not
    List<byte[]> random = new ArrayList<>();
    for (byte[] e : events) {
      byte[] b = new byte[e.length];
      for (int k = 0; k < b.length; k++) {
        b[k] = (byte) r.nextInt(256);
      }
      random.add(b);
    }
    assertThat(ProducerBaseline.shape(random).lz4Ratio()).isGreaterThan(0.99);
    assertThat(Files.size(file)).isEqualTo(events.stream().mapToLong(e -> e.length + 1).sum());
  }
}
