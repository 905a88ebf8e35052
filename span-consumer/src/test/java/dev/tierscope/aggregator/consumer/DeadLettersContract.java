package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DeadLetters} must do; {@link InMemoryDeadLetters} (the reference) and {@link
 * KafkaDeadLetters} (on a real broker) both run it.
 */
abstract class DeadLettersContract {

  /** A fresh implementation with no dead letters. */
  abstract DeadLetters deadLetters();

  /** The dead letters sent so far, as a reader sees them; waits for at least {@code expected}. */
  abstract List<DeadLetter> read(DeadLetters deadLetters, int expected);

  @Test
  void keepsTheOriginalKeyAndValueAndSaysWhyAndWhereFrom() {
    DeadLetters dlq = deadLetters();
    byte[] key = {1, 2, 3};
    byte[] value = "not a SpanEvent".getBytes(StandardCharsets.UTF_8);

    dlq.send(
        new ConsumerRecord<>("tierscope.spans.v1", 4, 1234L, key, value),
        "undecodable: value is not a SpanEvent");

    assertThat(read(dlq, 1))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.key()).isEqualTo(key);
              assertThat(d.value()).isEqualTo(value);
              assertThat(d.error()).isEqualTo("undecodable: value is not a SpanEvent");
              assertThat(d.source()).isEqualTo("tierscope.spans.v1-4@1234");
            });
  }

  @Test
  void keepsARecordWithoutKeyOrValue() {
    DeadLetters dlq = deadLetters();

    dlq.send(new ConsumerRecord<>("spans", 0, 7L, null, null), "invalid: null");

    assertThat(read(dlq, 1))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.key()).isNull();
              assertThat(d.value()).isNull();
              assertThat(d.error()).isEqualTo("invalid: null");
            });
  }

  @Test
  void keepsTheOrderAndTheTextOfEveryReason() {
    DeadLetters dlq = deadLetters();
    List<String> errors =
        List.of(
            "invalid: end before start",
            "invalid: trace_id must be 16 bytes, got 15",
            "undecodable: ungültige Nachricht ✗");

    for (int i = 0; i < errors.size(); i++) {
      dlq.send(
          new ConsumerRecord<>("spans", 0, i, new byte[] {(byte) i}, new byte[0]), errors.get(i));
    }

    assertThat(read(dlq, errors.size()))
        .extracting(DeadLetter::error)
        .containsExactlyElementsOf(errors);
  }
}
