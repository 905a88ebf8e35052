package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A flood of distinct tenants and workflows, through the whole server (caps lowered to 20 tenants
 * and 5 workflows per window for the test): the tenants beyond the cap are counted under {@code
 * __overflow__} and the totals stay exact; the workflows beyond the cap likewise; the healthy
 * tenants and their workflows, there before the flood, keep their names and exact SLIs and token
 * counts through it. Health stays UP.
 */
class CardinalityFloodIT {

  static final long SECOND = 1_000_000_000L;
  static final int FLOOD = 400;

  @Test
  void aFloodOfTenantsAndWorkflowsCostsNobodyACount() throws Exception {
    try (HostileTraffic t =
        new HostileTraffic(
            "flood",
            4,
            Map.of(
                "tierscope.aggregator.max-tenants-per-window", "20",
                "tierscope.aggregator.max-workflows-per-window", "5"))) {
      List<String> tenants = List.of("acme", "globex");
      Instant from = Instant.now().minus(Duration.ofMinutes(10));
      long now = HostileTraffic.nowNanos();
      // Before: steady traffic in every window up to the flood.
      t.sendHealthy(tenants, 120, now - 60 * SECOND, now - 26 * SECOND);

      // The flood: 400 tenants seen once each, and 200 workflows of acme seen once each, within a
      // second; healthy traffic alongside.
      List<ResourceSpans> batch = new ArrayList<>();
      Map<String, Long> floodTruth = new HashMap<>();
      for (int i = 0; i < FLOOD; i++) {
        String tenant = "flood-" + i;
        batch.addAll(
            t.healthy(
                tenant, "deferred_batch", "rag", now - 25 * SECOND + i * 2_000_000L, 0, true));
        floodTruth.put(tenant, 1L);
        if (i < 200) {
          batch.addAll(
              t.healthy(
                  "acme",
                  "deferred_batch",
                  "wf-" + i,
                  now - 25 * SECOND + i * 2_000_000L,
                  0,
                  true));
        }
        if (batch.size() >= 60) {
          HostileTraffic.assertAccepted(t.post(HostileTraffic.request(batch)));
          batch.clear();
        }
      }
      HostileTraffic.assertAccepted(t.post(HostileTraffic.request(batch)));
      // The flood's tenants are checked in total below, not one by one.
      t.truth.keySet().removeIf(k -> k.tenant().startsWith("flood-"));
      t.sendHealthy(tenants, 60, now - 25 * SECOND, now - 15 * SECOND);
      // After.
      t.sendHealthy(tenants, 60, now - 15 * SECOND, now);

      Instant to = Instant.now().plus(Duration.ofHours(1));
      t.assertExactSlis(from, to);

      // Every flood request is counted once: under its tenant's name or under __overflow__.
      long named = 0;
      for (String tenant : floodTruth.keySet()) {
        named += t.slo(tenant, "deferred_batch", from, to).read("$.requests", Long.class);
      }
      long overflow =
          t.slo("__overflow__", "deferred_batch", from, to).read("$.requests", Long.class);
      assertThat(named + overflow).isEqualTo(FLOOD);
      assertThat(overflow).isGreaterThanOrEqualTo(FLOOD - 4 * 40);
      assertThat(t.aggregatorCount("tierscope.aggregator.cardinality.folded", "dimension:tenant"))
          .isEqualTo(overflow);

      // Workflows: the healthy ones keep their exact tokens; the flood's are folded, none lost.
      Map<String, Long> tokens = t.tokensByWorkflow("acme", from, to);
      HostileTraffic.Truth premium =
          t.truth.get(new HostileTraffic.Key("acme", "interactive_premium"));
      long rag = 0;
      long chat = 0;
      long all = 0;
      for (Map.Entry<HostileTraffic.Key, HostileTraffic.Truth> e : t.truth.entrySet()) {
        if (e.getKey().tenant().equals("acme")) {
          rag += e.getValue().inputTokens.getOrDefault("rag", 0L);
          chat += e.getValue().inputTokens.getOrDefault("chat", 0L);
          all += e.getValue().inputTokens.values().stream().mapToLong(Long::longValue).sum();
        }
      }
      assertThat(premium).isNotNull();
      assertThat(rag).isPositive();
      assertThat(chat).isPositive();
      assertThat(tokens.get("rag")).isEqualTo(rag);
      assertThat(tokens.get("chat")).isEqualTo(chat);
      assertThat(tokens).containsKey("__overflow__");
      assertThat(tokens.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(all);
      assertThat(t.aggregatorCount("tierscope.aggregator.cardinality.folded", "dimension:workflow"))
          .isPositive();
      t.assertHealthUp();
    }
  }
}
