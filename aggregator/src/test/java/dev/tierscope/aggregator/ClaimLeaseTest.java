package dev.tierscope.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/** The claim lease follows the consumer's own timeouts. */
class ClaimLeaseTest {

  @Test
  void leaseIsKafkasDefaultTimeoutsPlusTenSecondsWhenNoneAreSet() {
    assertThat(AggregatorConfiguration.claimLease(Map.of()))
        .isEqualTo(Duration.ofMinutes(5).plusSeconds(45).plusSeconds(10));
  }

  @Test
  void leaseFollowsConfiguredMaxPollIntervalAndSessionTimeout() {
    // Boot's spring.kafka.consumer.properties.* arrive as strings
    assertThat(
            AggregatorConfiguration.claimLease(
                Map.of(
                    ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                    "5000",
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                    6_000)))
        .isEqualTo(Duration.ofSeconds(21));
  }
}
