package dev.tierscope.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Exemplar;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ExemplarReader} (over the {@link CheckpointStore} that writes the
 * exemplars) must show: per window the store keeps the {@link Exemplar#KEPT_PER_WINDOW} slowest of
 * every commit together, a trace id once kept keeps its first value, a range answers its slowest
 * first across windows (selected by window start, from inclusive, to exclusive), and tenants and
 * classes stay apart. Whatever an {@link Exemplar} carries (its TTFT breakdown) comes back as
 * written. A fenced commit writes no exemplar.
 */
public abstract class ExemplarReaderContract extends StoreContract {

  private static final String OTHER_CLASS = "deferred_batch";

  /** What the store must keep of {@link #thirtyWindowsOfExemplars}, slowest first. */
  private final List<StoredExemplar> kept = new ArrayList<>();

  /**
   * 30 windows, each written by two commits of four exemplars (as two aggregator instances or two
   * checkpoints would), plus one very slow exemplar per window for another class and another tenant
   * that must never show up in this tenant's and class's answers.
   */
  private void thirtyWindowsOfExemplars() {
    SplittableRandom random = new SplittableRandom(7);
    for (int w = 0; w < 30; w++) {
      List<StoredExemplar> window = new ArrayList<>();
      for (int commit = 0; commit < 2; commit++) {
        List<Exemplar> written = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          Exemplar e = new Exemplar(traceId(random), 100_000 + random.nextLong(5_000_000));
          written.add(e);
          window.add(new StoredExemplar(from(w), e));
        }
        written.sort(Exemplar.SLOWEST_FIRST);
        checkpoints.commit(
            group,
            1,
            List.of(),
            List.of(
                delta(tenant, CLASS, w, written),
                delta(tenant, OTHER_CLASS, w, List.of(new Exemplar(traceId(random), 9_999_999))),
                delta(
                    tenant + "-other",
                    CLASS,
                    w,
                    List.of(new Exemplar(traceId(random), 9_999_999)))));
      }
      window.sort(StoredExemplar.SLOWEST_FIRST);
      kept.addAll(window.subList(0, Exemplar.KEPT_PER_WINDOW));
    }
    kept.sort(StoredExemplar.SLOWEST_FIRST);
  }

  @Test
  void slowestOfTheRangeComeFirstAcrossWindows() {
    thirtyWindowsOfExemplars();

    List<StoredExemplar> all = exemplars.slowest(tenant, CLASS, from(0), to(30), 1_000);
    assertThat(all).hasSize(30 * Exemplar.KEPT_PER_WINDOW).containsExactlyElementsOf(kept);
    assertThat(exemplars.slowest(tenant, CLASS, from(0), to(30), 7))
        .containsExactlyElementsOf(kept.subList(0, 7));
  }

  @Test
  void rangeSelectsWindowsByStartFromInclusiveToExclusive() {
    thirtyWindowsOfExemplars();
    Instant from = from(5);
    Instant to = from(12);

    List<StoredExemplar> expected =
        kept.stream()
            .filter(e -> !e.windowStart().isBefore(from) && e.windowStart().isBefore(to))
            .toList();
    assertThat(expected).hasSize(7 * Exemplar.KEPT_PER_WINDOW);
    assertThat(exemplars.slowest(tenant, CLASS, from, to, 1_000))
        .containsExactlyElementsOf(expected);
    // A window that starts before 'from' is left out even where it overlaps the range.
    assertThat(exemplars.slowest(tenant, CLASS, from.minusSeconds(5), from, 1_000)).isEmpty();
  }

  @Test
  void tenantsAndClassesStayApart() {
    thirtyWindowsOfExemplars();

    assertThat(exemplars.slowest(tenant, OTHER_CLASS, from(0), to(30), 1_000))
        .hasSize(30 * 2)
        .allMatch(e -> e.exemplar().ttftMicros() == 9_999_999);
    assertThat(exemplars.slowest(tenant + "-other", CLASS, from(0), to(30), 1_000)).hasSize(30 * 2);
    assertThat(exemplars.slowest(tenant + "-nobody", CLASS, from(0), to(30), 10)).isEmpty();
    assertThat(exemplars.slowest(tenant, CLASS, from(0), to(30), 1_000))
        .noneMatch(e -> e.exemplar().ttftMicros() == 9_999_999);
  }

  @Test
  void emptyOrInvertedRangeAndBadLimit() {
    checkpoints.commit(
        group, 1, List.of(), List.of(delta(tenant, CLASS, 0, List.of(new Exemplar(id(1), 5)))));

    assertThat(exemplars.slowest(tenant, CLASS, from(0), from(0), 10)).isEmpty();
    assertThat(exemplars.slowest(tenant, CLASS, from(6), from(0), 10)).isEmpty();
    assertThatThrownBy(() -> exemplars.slowest(tenant, CLASS, from(0), from(6), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
    assertThat(exemplars.slowest(tenant, CLASS, from(0), to(1), 1))
        .containsExactly(new StoredExemplar(from(0), new Exemplar(id(1), 5)));
  }

  @Test
  void traceIdKeptInAWindowKeepsItsFirstValueAndSlowerOnesPushOutTheFastest() {
    checkpoints.commit(
        group,
        1,
        List.of(),
        List.of(
            delta(
                tenant,
                CLASS,
                0,
                List.of(
                    new Exemplar(id(1), 900),
                    new Exemplar(id(2), 700),
                    new Exemplar(id(3), 500),
                    new Exemplar(id(4), 300)))));
    checkpoints.commit(
        group,
        2,
        List.of(),
        List.of(
            delta(
                tenant,
                CLASS,
                0,
                List.of(
                    new Exemplar(id(5), 800),
                    new Exemplar(id(6), 700),
                    new Exemplar(id(1), 100),
                    new Exemplar(id(7), 200))),
            delta(tenant, CLASS, 1, List.of(new Exemplar(id(1), 50)))));

    assertThat(exemplars.slowest(tenant, CLASS, from(0), to(2), 100))
        .containsExactly(
            new StoredExemplar(from(0), new Exemplar(id(1), 900)),
            new StoredExemplar(from(0), new Exemplar(id(5), 800)),
            new StoredExemplar(from(0), new Exemplar(id(2), 700)),
            new StoredExemplar(from(0), new Exemplar(id(6), 700)),
            new StoredExemplar(from(0), new Exemplar(id(3), 500)),
            // the same trace id in another window is another exemplar
            new StoredExemplar(from(1), new Exemplar(id(1), 50)));
  }

  @Test
  void breakdownsComeBackAsWrittenUnknownPartsIncluded() {
    Exemplar full =
        new Exemplar(
            id(1),
            2_000_000,
            new Exemplar.Breakdown(900_000, 300_000, 800_000, 650_000, "tool", "vpn", true, 3));
    Exemplar noClient =
        new Exemplar(
            id(2),
            1_000_000,
            new Exemplar.Breakdown(-1, 200_000, 800_000, -1, "none", "", false, 0));
    Exemplar unknown = new Exemplar(id(3), 500_000);
    checkpoints.commit(
        group, 1, List.of(), List.of(delta(tenant, CLASS, 0, List.of(full, noClient, unknown))));

    assertThat(exemplars.slowest(tenant, CLASS, from(0), to(1), 10))
        .extracting(StoredExemplar::exemplar)
        .containsExactly(full, noClient, unknown);
  }

  @Test
  void fencedCommitWritesNoExemplar() {
    checkpoints.claim(group, topic, List.of(0), 1);
    checkpoints.claim(group, topic, List.of(0), 2);

    assertThatThrownBy(
            () ->
                checkpoints.commit(
                    group,
                    1,
                    List.of(checkpoint(0, 10, bytes(1))),
                    List.of(delta(tenant, CLASS, 0, List.of(new Exemplar(id(1), 1_000))))))
        .isInstanceOf(FencedException.class);

    assertThat(exemplars.slowest(tenant, CLASS, from(0), to(1), 10)).isEmpty();
  }

  @Test
  void exemplarsOfTheWindowsOfAnHourComeBackFromOneRead() {
    long hourWindows = Duration.ofHours(1).toMillis() / WINDOW_MILLIS;
    List<WindowDelta> deltas = new ArrayList<>();
    for (int w = 0; w < hourWindows; w++) {
      deltas.add(delta(tenant, CLASS, w, List.of(new Exemplar(id(w), 1_000 + w))));
    }
    checkpoints.commit(group, 1, List.of(), deltas);

    List<StoredExemplar> slowest =
        exemplars.slowest(tenant, CLASS, from(0), to((int) hourWindows), 3);
    assertThat(slowest)
        .extracting(e -> e.exemplar().traceId())
        .containsExactly(
            id((int) hourWindows - 1), id((int) hourWindows - 2), id((int) hourWindows - 3));
  }

  private static WindowDelta delta(
      String tenant, String cls, int window, List<Exemplar> exemplars) {
    return new WindowDelta(
        new WindowKey(tenant, cls, BASE_EPOCH_MILLIS + window * WINDOW_MILLIS),
        WINDOW_MILLIS,
        Map.of(),
        Map.of(CounterKey.of(Counter.REQUESTS), (long) exemplars.size()),
        exemplars);
  }

  /** A trace id, 32 hex characters, from a number. */
  private static String id(int n) {
    return String.format("%032x", n);
  }

  private static String traceId(SplittableRandom random) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    return HexFormat.of().formatHex(id);
  }
}
