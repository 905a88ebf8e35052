package dev.tierscope.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicDurabilityTest {

  @Test
  void singleBrokerIsDevelopmentAndNoProblem() {
    assertThat(TopicDurability.Verdict.of("t", 1, 1, 1).problems()).isEmpty();
  }

  @Test
  void threeBrokersNeedReplicationThreeAndTwoInSync() {
    assertThat(TopicDurability.Verdict.of("t", 3, 3, 2).problems()).isEmpty();
    assertThat(TopicDurability.Verdict.of("t", 5, 3, 2).problems()).isEmpty();
    assertThat(TopicDurability.Verdict.of("t", 3, 1, 1).problems())
        .hasSize(2)
        .anySatisfy(p -> assertThat(p).contains("replication factor 1").contains("use 3"))
        .anySatisfy(p -> assertThat(p).contains("min.insync.replicas=1").contains("use 2"));
    assertThat(TopicDurability.Verdict.of("t", 3, 3, 1).problems())
        .singleElement()
        .asString()
        .contains("min.insync.replicas=1");
  }

  @Test
  void twoBrokersNeedBothReplicas() {
    assertThat(TopicDurability.Verdict.of("t", 2, 2, 2).problems()).isEmpty();
    assertThat(TopicDurability.Verdict.of("t", 2, 1, 1).problems()).hasSize(2);
  }
}
