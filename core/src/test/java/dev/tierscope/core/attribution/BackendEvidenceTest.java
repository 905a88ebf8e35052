package dev.tierscope.core.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.testing.SummaryBuilder;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The evidence that names a backend (core/README.md, "Attribution"): a model runtime or a retriever
 * whose requests carry the found tier's growth, because traffic moved to it or because it alone
 * slowed down, read from the breakdowns by {@code service} and {@code retrievalService}.
 */
class BackendEvidenceTest {

  private static final TrafficClass PREMIUM = TrafficClasses.defaults().get("interactive_premium");
  private static final Instant FROM = Instant.parse("2026-11-20T10:00:00Z");
  private static final Instant TO = FROM.plus(Duration.ofHours(1));
  private static final Instant BASELINE = FROM.minus(Duration.ofHours(1));

  private final InMemoryWindowStore store = new InMemoryWindowStore();
  private final WindowAggregator windows =
      new WindowAggregator(10_000, 2, cls -> PREMIUM.objectives().ttftThresholdMicros());

  /** How one request of the range is served, given its index and its healthy components. */
  private interface Shape {
    /** {model runtime, retriever or "", extra model micros, extra mesh micros} */
    Object[] of(int index, boolean current);
  }

  /** Two hours, 40 requests a minute; every third request has a retrieval. */
  private Attribution run(Shape shape, boolean withSlices) {
    SplittableRandom rnd = new SplittableRandom(5);
    long id = 0;
    for (Instant t = BASELINE; t.isBefore(TO); t = t.plusSeconds(60)) {
      for (int i = 0; i < 40; i++) {
        boolean current = !t.isBefore(FROM);
        Object[] s = shape.of(i, current);
        long edge = (long) (40_000 * (0.5 + rnd.nextDouble()));
        long mesh = (long) (80_000 * (0.5 + rnd.nextDouble())) + (long) s[3];
        long model = (long) (230_000 * (0.5 + rnd.nextDouble())) + (long) s[2];
        windows.record(
            SummaryBuilder.request()
                .traceId(++id)
                .tenant("acme")
                .eventTime(t.toEpochMilli() * 1_000 + i)
                .clientTtft(edge, mesh, model)
                .retrievals(((String) s[1]).isEmpty() ? 0 : 1, 0, 0)
                .retrievalService((String) s[1])
                .dimensions("2", "wired", "us-east-1", "llama", (String) s[0])
                .build());
      }
    }
    store.commit("g", 1, List.of(), windows.drain());
    AttributionCalculator calculator =
        withSlices
            ? new AttributionCalculator(store, store, AttributionSettings.defaults())
            : new AttributionCalculator(store, AttributionSettings.defaults());
    return calculator.attribute("acme", PREMIUM, FROM, TO, BASELINE, FROM);
  }

  private static String retriever(int i, String name) {
    return i % 3 == 0 ? name : "";
  }

  @Test
  void aModelFailoverNamesTheStandbyWithTheShareMovedAndItsCost() {
    // Half of the model calls move to the standby, one 95 ms round trip away.
    Attribution a =
        run(
            (i, now) ->
                now && i % 2 == 0
                    ? new Object[] {"runtime-b", retriever(i, "retriever-a"), 95_000L, 0L}
                    : new Object[] {"runtime-a", retriever(i, "retriever-a"), 0L, 0L},
            true);
    assertThat(a.verdict()).isEqualTo(Verdict.MODEL);
    assertThat(a.evidence())
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith("model: 50% of model calls served by runtime-b vs 0% in baseline")
                    .contains("per request there vs"));
    assertThat(a.evidence()).noneMatch(e -> e.contains("retriever-"));
  }

  @Test
  void aRetrievalFailoverNamesTheStandbyRetriever() {
    // Every retrieval (a third of the requests) moves and pays three 95 ms round trips.
    Attribution a =
        run(
            (i, now) ->
                now
                    ? new Object[] {
                      "runtime-a", retriever(i, "retriever-b"), 0L, i % 3 == 0 ? 285_000L : 0L
                    }
                    : new Object[] {"runtime-a", retriever(i, "retriever-a"), 0L, 0L},
            true);
    assertThat(a.verdict()).isEqualTo(Verdict.MESH);
    assertThat(a.evidence())
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith("mesh: 100% of retrievals served by retriever-b vs 0% in baseline")
                    .contains("per request with a retrieval in baseline"));
  }

  @Test
  void oneBackendSlowingDownAloneIsNamedWithoutAMove() {
    Attribution a =
        run(
            (i, now) ->
                i % 2 == 0
                    ? new Object[] {"runtime-b", "", now ? 250_000L : 0L, 0L}
                    : new Object[] {"runtime-a", "", 0L, 0L},
            true);
    assertThat(a.verdict()).isEqualTo(Verdict.MODEL);
    assertThat(a.evidence())
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith("model: model time of the requests served by runtime-b ")
                    .contains("(50% of model calls)"));
  }

  @Test
  void noBackendIsNamedWhenEveryBackendSlowsDownAlike() {
    Attribution a =
        run(
            (i, now) ->
                new Object[] {i % 2 == 0 ? "runtime-b" : "runtime-a", "", now ? 200_000L : 0L, 0L},
            true);
    assertThat(a.verdict()).isEqualTo(Verdict.MODEL);
    assertThat(a.evidence()).noneMatch(e -> e.contains("runtime-"));
  }

  @Test
  void withOneBackendThereIsNothingToTellApart() {
    Attribution a = run((i, now) -> new Object[] {"runtime-a", "", now ? 200_000L : 0L, 0L}, true);
    assertThat(a.verdict()).isEqualTo(Verdict.MODEL);
    assertThat(a.evidence()).noneMatch(e -> e.contains("runtime-a"));
  }

  @Test
  void withoutTheBreakdownsTheVerdictIsTheSameAndNoBackendIsNamed() {
    Shape failover =
        (i, now) ->
            now && i % 2 == 0
                ? new Object[] {"runtime-b", "", 95_000L, 0L}
                : new Object[] {"runtime-a", "", 0L, 0L};
    Attribution with = run(failover, true);
    BackendEvidenceTest other = new BackendEvidenceTest();
    Attribution without = other.run(failover, false);
    assertThat(without.verdict()).isEqualTo(with.verdict()).isEqualTo(Verdict.MODEL);
    assertThat(without.confidence()).isEqualTo(with.confidence());
    assertThat(without.evidence()).noneMatch(e -> e.contains("runtime-b"));
    assertThat(with.evidence()).hasSize(without.evidence().size() + 1);
  }
}
