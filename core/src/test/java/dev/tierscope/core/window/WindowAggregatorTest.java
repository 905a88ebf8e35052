package dev.tierscope.core.window;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SummaryBuilder.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.tierscope.core.assembly.MeshRole;
import dev.tierscope.core.span.StreamOutcome;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Completed requests land in the right (tenant, class, window) with the right counts. */
class WindowAggregatorTest {

  /** T0 is 1 700 000 000 000 ms, a multiple of 10 s. */
  private static final long W0 = T0 / 1_000;

  private final WindowAggregator windows = new WindowAggregator(10_000, 2);

  @ParameterizedTest(name = "{0} us -> {1} ms")
  @CsvSource({
    "0, 0",
    "1, 0",
    "999, 0",
    "9999999, 0",
    "10000000, 10000",
    "10000999, 10000",
    "-1, -10000",
    "-999, -10000",
    "-1000, -10000",
    "-9999999, -10000",
    "-10000000, -10000",
    "-10000001, -20000",
    "1700000000000000, 1700000000000",
    "1700000009999999, 1700000000000",
    "1700000010000000, 1700000010000",
  })
  void windowStartIsTheEventTimeFlooredToTheWindow(long epochMicros, long expectedStartMillis) {
    assertThat(windows.windowStartMillis(epochMicros)).isEqualTo(expectedStartMillis);
  }

  @Test
  void windowStartOfRealEventTimesIsFlooredToTheWindow() {
    assertThat(windows.windowStartMillis(T0)).isEqualTo(W0);
    assertThat(windows.windowStartMillis(T0 + 9_999_999)).isEqualTo(W0);
    assertThat(windows.windowStartMillis(T0 + 10_000_000)).isEqualTo(W0 + 10_000);
    assertThat(windows.windowStartMillis(T0 - 1)).isEqualTo(W0 - 10_000);
  }

  @Test
  void windowSizeThatDoesNotDivideASecondStillFloors() {
    WindowAggregator sevenMs = new WindowAggregator(7, 2);

    assertThat(sevenMs.windowStartMillis(13_999)).isEqualTo(7);
    assertThat(sevenMs.windowStartMillis(14_000)).isEqualTo(14);
    assertThat(sevenMs.windowStartMillis(-1)).isEqualTo(-7);
  }

  @Test
  void recordsEachRequestUnderItsTenantClassAndWindow() {
    windows.record(request().tenant("acme").trafficClass("interactive_premium").build());
    windows.record(
        request()
            .tenant("acme")
            .trafficClass("interactive_premium")
            .eventTime(T0 + 9_999_999)
            .build());
    windows.record(
        request()
            .tenant("acme")
            .trafficClass("interactive_premium")
            .eventTime(T0 + 10_000_000)
            .build());
    windows.record(request().tenant("acme").trafficClass("deferred_batch").build());
    windows.record(request().tenant("globex").trafficClass("interactive_premium").build());

    Map<WindowKey, Long> requestsByWindow =
        windows.drain().stream()
            .collect(
                java.util.stream.Collectors.toMap(
                    WindowDelta::key, d -> d.counters().get(CounterKey.of(Counter.REQUESTS))));

    assertThat(requestsByWindow)
        .containsOnly(
            entry(new WindowKey("acme", "interactive_premium", W0), 2L),
            entry(new WindowKey("acme", "interactive_premium", W0 + 10_000), 1L),
            entry(new WindowKey("acme", "deferred_batch", W0), 1L),
            entry(new WindowKey("globex", "interactive_premium", W0), 1L));
  }

  @Test
  void countsEverySignalOfARequest() {
    windows.record(
        request().partial().classUnknown().workflow("support_chat").gatewayTtft(650_000).stream(
                StreamOutcome.INTERRUPTED)
            .retrievals(3, 2, 1)
            .toolchain(2, 1_100_000, true)
            .tokens(1_200, 350)
            .build());
    windows.record(
        request().workflow("support_chat").clientTtft(250_000, 270_000, 380_000).stream(
                StreamOutcome.CANCELLED)
            .retrievals(1, 0, 0)
            .toolchain(1, 200_000, false)
            .tokens(300, 50)
            .build());
    windows.record(
        request().workflow("batch_summary").stream(StreamOutcome.COMPLETED).tokens(10, 0).build());

    List<WindowDelta> deltas = windows.drain();

    assertThat(deltas).hasSize(1);
    assertThat(requestCounters(deltas.get(0)))
        .containsOnly(
            entry(CounterKey.of(Counter.REQUESTS), 3L),
            entry(CounterKey.of(Counter.PARTIAL), 1L),
            entry(CounterKey.of(Counter.CLASS_UNKNOWN), 1L),
            entry(CounterKey.of(Counter.EDGE_UNKNOWN), 1L),
            entry(CounterKey.of(Counter.STREAMS), 3L),
            entry(CounterKey.of(Counter.INTERRUPTED), 1L),
            entry(CounterKey.of(Counter.CANCELLED), 1L),
            entry(CounterKey.of(Counter.RETRIEVALS), 4L),
            entry(CounterKey.of(Counter.RETRIEVAL_MISSES), 2L),
            entry(CounterKey.of(Counter.RETRIEVAL_FALLBACKS), 1L),
            entry(CounterKey.of(Counter.TOOL_CHAINS), 2L),
            entry(CounterKey.of(Counter.FAILED_CHAINS), 1L),
            entry(new CounterKey(Counter.INPUT_TOKENS, "support_chat"), 1_500L),
            entry(new CounterKey(Counter.OUTPUT_TOKENS, "support_chat"), 400L),
            entry(new CounterKey(Counter.INPUT_TOKENS, "batch_summary"), 10L));
  }

  /** The counters about requests and their signals, without the attribution inputs. */
  private static Map<CounterKey, Long> requestCounters(WindowDelta delta) {
    Set<Counter> requestSignals =
        EnumSet.of(
            Counter.REQUESTS,
            Counter.PARTIAL,
            Counter.CLASS_UNKNOWN,
            Counter.EDGE_UNKNOWN,
            Counter.STREAMS,
            Counter.INTERRUPTED,
            Counter.CANCELLED,
            Counter.RETRIEVALS,
            Counter.RETRIEVAL_MISSES,
            Counter.RETRIEVAL_FALLBACKS,
            Counter.TOOL_CHAINS,
            Counter.FAILED_CHAINS,
            Counter.INPUT_TOKENS,
            Counter.OUTPUT_TOKENS,
            Counter.LATE_SPANS);
    Map<CounterKey, Long> out = new HashMap<>();
    delta
        .counters()
        .forEach(
            (k, v) -> {
              if (requestSignals.contains(k.counter())) {
                out.put(k, v);
              }
            });
    return out;
  }

  @Test
  void requestWithoutTtftIsNotCountedAsEdgeUnknown() {
    windows.record(request().build());

    assertThat(requestCounters(windows.drain().get(0)))
        .containsOnly(entry(CounterKey.of(Counter.REQUESTS), 1L));
  }

  @Test
  void countsLateSpansInTheWindowTheyBelongedTo() {
    windows.recordLateSpan("acme", "deferred_batch", T0 - 1);
    windows.recordLateSpan("acme", "deferred_batch", T0 - 2);

    List<WindowDelta> deltas = windows.drain();

    assertThat(deltas)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.key()).isEqualTo(new WindowKey("acme", "deferred_batch", W0 - 10_000));
              assertThat(d.counters()).containsOnly(entry(CounterKey.of(Counter.LATE_SPANS), 2L));
              assertThat(d.histograms()).isEmpty();
            });
  }

  @Test
  void histogramsHoldMicrosecondsAndSkipUnknownValues() {
    windows.record(
        request()
            .gatewayTtft(650_000)
            .modelQueue(120_000)
            .e2e(3_000_000)
            .toolchain(1, 1_100_000, false)
            .build());
    windows.record(request().clientTtft(250_000, 270_000, 380_000).e2e(2_000_000).build());

    WindowDelta delta = windows.drain().get(0);
    Map<Metric, Histogram> h = delta.histograms();

    assertThat(h)
        .containsOnlyKeys(
            Metric.TTFT,
            Metric.EDGE,
            Metric.MESH,
            Metric.MODEL,
            Metric.MODEL_QUEUE,
            Metric.TOOLCHAIN,
            Metric.E2E,
            Metric.RETRIEVALS_PER_REQUEST,
            Metric.TOOL_CALLS_PER_REQUEST);
    assertThat(h.get(Metric.TTFT).getTotalCount()).isEqualTo(2);
    assertThat(h.get(Metric.TTFT).getMinValue())
        .isEqualTo(h.get(Metric.TTFT).lowestEquivalentValue(650_000));
    assertThat(h.get(Metric.TTFT).valuesAreEquivalent(h.get(Metric.TTFT).getMaxValue(), 900_000))
        .isTrue();
    // the gateway-only request has no edge, mesh or model component: only one value each
    assertThat(h.get(Metric.EDGE).getTotalCount()).isEqualTo(1);
    assertThat(h.get(Metric.EDGE).valuesAreEquivalent(h.get(Metric.EDGE).getMaxValue(), 250_000))
        .isTrue();
    assertThat(h.get(Metric.MESH).getTotalCount()).isEqualTo(1);
    assertThat(h.get(Metric.MODEL).getTotalCount()).isEqualTo(1);
    assertThat(h.get(Metric.MODEL_QUEUE).getTotalCount()).isEqualTo(1);
    assertThat(h.get(Metric.TOOLCHAIN).getTotalCount()).isEqualTo(1);
    assertThat(h.get(Metric.E2E).getTotalCount()).isEqualTo(2);
    assertThat(h.get(Metric.E2E).valuesAreEquivalent(h.get(Metric.E2E).getMaxValue(), 3_000_000))
        .isTrue();
    // the fan-out counts every request, zeros included: one tool call, then none
    assertThat(h.get(Metric.TOOL_CALLS_PER_REQUEST).getTotalCount()).isEqualTo(2);
    assertThat(h.get(Metric.TOOL_CALLS_PER_REQUEST).getMaxValue()).isEqualTo(1);
    assertThat(h.get(Metric.TOOL_CALLS_PER_REQUEST).getMinValue()).isZero();
    assertThat(h.get(Metric.RETRIEVALS_PER_REQUEST).getMaxValue()).isZero();
    assertThat(delta.windowMillis()).isEqualTo(10_000);
  }

  @Test
  void requestWithOnlyUnknownLatenciesCreatesNoLatencyHistogram() {
    windows.record(request().build());

    // only the fan-out's, each with the request's zero
    assertThat(windows.liveHistograms()).isEqualTo(2);
    Map<Metric, Histogram> h = windows.drain().get(0).histograms();
    assertThat(h).containsOnlyKeys(Metric.RETRIEVALS_PER_REQUEST, Metric.TOOL_CALLS_PER_REQUEST);
    assertThat(h.get(Metric.RETRIEVALS_PER_REQUEST).getCountAtValue(0)).isEqualTo(1);
  }

  @Test
  void histogramsUseTheConfiguredPrecision() {
    WindowAggregator precise = new WindowAggregator(10_000, 4);
    precise.record(request().gatewayTtft(650_001).build());

    Histogram ttft = precise.drain().get(0).histograms().get(Metric.TTFT);

    assertThat(ttft.getNumberOfSignificantValueDigits()).isEqualTo(4);
    assertThat(ttft.getMaxValue()).isBetween(650_001L, 650_001L + 65);
  }

  @Test
  void drainHandsOutDeltasAndEmptiesTheAggregator() {
    windows.record(request().gatewayTtft(650_000).build());
    assertThat(windows.isEmpty()).isFalse();
    // the window's TTFT and fan-out histograms; per dimension one slice of one TTFT bucket
    assertThat(windows.liveHistograms()).isEqualTo(3);
    assertThat(windows.liveSliceBuckets())
        .containsExactly(Dimension.values().length, Dimension.values().length);

    List<WindowDelta> first = windows.drain();

    assertThat(first).hasSize(1);
    assertThat(windows.isEmpty()).isTrue();
    assertThat(windows.liveHistograms()).isZero();
    assertThat(windows.liveSliceBuckets()).containsExactly(0, 0);
    assertThat(windows.drain()).isEmpty();

    windows.record(request().gatewayTtft(700_000).build());
    List<WindowDelta> second = windows.drain();
    assertThat(second.get(0).counters()).containsEntry(CounterKey.of(Counter.REQUESTS), 1L);
    assertThat(second.get(0).histograms().get(Metric.TTFT).getTotalCount()).isEqualTo(1);
    assertThat(first.get(0).histograms().get(Metric.TTFT).getTotalCount())
        .as("a drained delta is not touched by later records")
        .isEqualTo(1);
  }

  @Test
  void discardForgetsEverythingSinceTheLastDrain() {
    windows.record(request().gatewayTtft(650_000).build());

    windows.discard();

    assertThat(windows.isEmpty()).isTrue();
    assertThat(windows.drain()).isEmpty();
  }

  @Test
  void rejectsNonPositiveWindow() {
    assertThatThrownBy(() -> new WindowAggregator(0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("windowMillis must be positive, was 0");
    assertThatThrownBy(() -> new WindowAggregator(-10_000, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("windowMillis must be positive, was -10000");
  }

  @Test
  void rejectsPrecisionOutsideOneToFive() {
    assertThatThrownBy(() -> new WindowAggregator(10_000, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("significantDigits must lie in 1..5, was 0");
    assertThatThrownBy(() -> new WindowAggregator(10_000, 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("significantDigits must lie in 1..5, was 6");
    assertThat(new WindowAggregator(10_000, 5).windowMillis()).isEqualTo(10_000);
    assertThat(new WindowAggregator(1, 1).windowMillis()).isEqualTo(1);
  }

  @Test
  void keepsTheFiveSlowestRequestsAsExemplarsSlowestFirst() {
    long[] ttfts = {300_000, 900_000, 100_000, 1_200_000, 700_000, 500_000, 800_000};
    for (int i = 0; i < ttfts.length; i++) {
      windows.record(request().traceId(i + 1).gatewayTtft(ttfts[i]).build());
    }
    windows.record(request().traceId(99).build()); // no TTFT: no exemplar

    List<Exemplar> exemplars = windows.drain().get(0).exemplars();

    assertThat(exemplars)
        .extracting(Exemplar::ttftMicros)
        .containsExactly(1_200_000L, 900_000L, 800_000L, 700_000L, 500_000L);
    assertThat(exemplars.get(0).traceId())
        .isEqualTo(request().traceId(4).build().traceId().toHex());
  }

  @Test
  void exemplarsCarryTheirRequestsBreakdown() {
    windows.record(
        request()
            .traceId(5)
            .clientTtft(250_000, 270_000, 380_000)
            .modelQueue(120_000)
            .transport("vpn", true, 2)
            .dominantMeshRole(MeshRole.TOOL)
            .build());
    windows.record(request().traceId(6).gatewayTtft(100_000).build());

    List<Exemplar> exemplars = windows.drain().get(0).exemplars();

    assertThat(exemplars.get(0).breakdown())
        .isEqualTo(
            new Exemplar.Breakdown(250_000, 270_000, 380_000, 120_000, "tool", "vpn", true, 2));
    assertThat(exemplars.get(1).breakdown().edgeMicros()).as("no client span").isEqualTo(-1);
  }

  @Test
  void splitsTtftComponentSumsIntoAllAndTailRequests() {
    WindowAggregator withThresholds =
        new WindowAggregator(10_000, 2, cls -> cls.equals("interactive_premium") ? 800_000 : -1);
    // tail (900 ms > 800 ms), decomposed
    withThresholds.record(
        request().clientTtft(250_000, 270_000, 380_000).modelQueue(120_000).build());
    // within threshold, decomposed, no queue reported
    withThresholds.record(request().clientTtft(100_000, 200_000, 300_000).build());
    // exactly at the threshold: not tail
    withThresholds.record(request().gatewayTtft(800_000).build());
    // tail, gateway vantage: not decomposed
    withThresholds.record(request().gatewayTtft(1_000_000).build());
    // other class without threshold: never tail
    withThresholds.record(request().trafficClass("deferred_batch").gatewayTtft(9_000_000).build());

    Map<WindowKey, Map<CounterKey, Long>> byWindow = new HashMap<>();
    withThresholds.drain().forEach(d -> byWindow.put(d.key(), d.counters()));
    Map<CounterKey, Long> premium = byWindow.get(new WindowKey("acme", "interactive_premium", W0));
    Map<CounterKey, Long> batch = byWindow.get(new WindowKey("acme", "deferred_batch", W0));

    assertThat(premium)
        .contains(
            entry(CounterKey.of(Counter.DECOMPOSED), 2L),
            entry(CounterKey.of(Counter.EDGE_MICROS), 350_000L),
            entry(CounterKey.of(Counter.MESH_MICROS), 470_000L),
            entry(CounterKey.of(Counter.MODEL_MICROS), 680_000L),
            entry(CounterKey.of(Counter.QUEUE_MICROS), 120_000L),
            entry(CounterKey.of(Counter.TAIL_REQUESTS), 2L),
            entry(CounterKey.of(Counter.TAIL_DECOMPOSED), 1L),
            entry(CounterKey.of(Counter.TAIL_EDGE_MICROS), 250_000L),
            entry(CounterKey.of(Counter.TAIL_MESH_MICROS), 270_000L),
            entry(CounterKey.of(Counter.TAIL_MODEL_MICROS), 380_000L),
            entry(CounterKey.of(Counter.TAIL_QUEUE_MICROS), 120_000L));
    assertThat(batch).doesNotContainKey(CounterKey.of(Counter.TAIL_REQUESTS));
  }

  @Test
  void countsClientTransportSignalsOnlyForClientVantage() {
    windows.record(request().clientTtft(1, 1, 1).transport("vpn", true, 3).build());
    windows.record(request().clientTtft(1, 1, 1).transport("", false, 2).build());
    windows.record(request().gatewayTtft(5).transport("vpn", true, 9).build());

    Map<CounterKey, Long> counters = windows.drain().get(0).counters();

    assertThat(counters)
        .contains(
            entry(new CounterKey(Counter.CLIENT_PATH, "vpn"), 1L),
            entry(new CounterKey(Counter.CLIENT_PATH, "unknown"), 1L),
            entry(CounterKey.of(Counter.RETRANSMITS), 5L),
            entry(CounterKey.of(Counter.PROTOCOL_FALLBACKS), 1L));
  }

  @Test
  void countsDuplicateSpansInTheirRequestWindow() {
    windows.recordDuplicateSpans("acme", "deferred_batch", T0 + 10_000_000, 3);

    assertThat(windows.drain())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.key()).isEqualTo(new WindowKey("acme", "deferred_batch", W0 + 10_000));
              assertThat(d.counters())
                  .containsOnly(entry(CounterKey.of(Counter.DUPLICATE_SPANS), 3L));
            });
  }

  @Test
  void streamContinuityIsRecordedPerClassWithCancelsApartFromInterruptions() {
    windows.record(
        request().traceId(1).continuity(2_500_000, 2).stream(StreamOutcome.COMPLETED).build());
    windows.record(
        request().traceId(2).continuity(300_000, 0).stream(StreamOutcome.COMPLETED).build());
    windows.record(
        request()
            .traceId(3)
            .continuity(1_200_000, 1)
            .interrupted(dev.tierscope.core.span.InterruptionCause.IDLE_TIMEOUT, 60_000_000)
            .build());
    windows.record(
        request()
            .traceId(4)
            .interrupted(dev.tierscope.core.span.InterruptionCause.IDLE_TIMEOUT, 60_000_000)
            .build());
    windows.record(request().traceId(5).stream(StreamOutcome.INTERRUPTED).build());
    windows.record(request().traceId(6).cancelled(7_000_000).build());
    // Not streamed: continuity it may carry is not a stream's.
    windows.record(request().traceId(7).continuity(9_000_000, 9).build());

    WindowDelta d = windows.drain().get(0);
    assertThat(d.counters())
        .contains(
            entry(CounterKey.of(Counter.STREAMS), 6L),
            entry(CounterKey.of(Counter.INTERRUPTED), 3L),
            entry(CounterKey.of(Counter.CANCELLED), 1L),
            entry(CounterKey.of(Counter.STALL_REPORTS), 3L),
            entry(CounterKey.of(Counter.STALLED_STREAMS), 2L),
            entry(CounterKey.of(Counter.STALLS), 3L),
            entry(new CounterKey(Counter.INTERRUPTION_CAUSE, "idle_timeout"), 2L),
            entry(new CounterKey(Counter.INTERRUPTION_CAUSE, "unknown"), 1L))
        .doesNotContainKey(new CounterKey(Counter.INTERRUPTION_CAUSE, ""));
    Histogram gaps = d.histograms().get(Metric.STREAM_MAX_GAP);
    assertThat(gaps.getTotalCount()).isEqualTo(3);
    assertThat(gaps.getMaxValue()).isBetween(2_475_000L, 2_525_000L);
    Histogram idle = d.histograms().get(Metric.STREAM_CUT_IDLE_TIMEOUT);
    assertThat(idle.getTotalCount()).isEqualTo(2);
    assertThat(idle.getValueAtPercentile(50)).isEqualTo(idle.getMaxValue());
    assertThat(d.histograms().get(Metric.STREAM_CUT_CANCELLED).getTotalCount()).isEqualTo(1);
    assertThat(d.histograms())
        .as("no cut recorded where none was measured")
        .doesNotContainKey(Metric.STREAM_CUT_UNKNOWN);
  }

  @Test
  void anInterruptionWithoutACauseIsFiledUnknownNeverBreaksRecording() {
    windows.record(
        request()
            .traceId(1)
            .interrupted(dev.tierscope.core.span.InterruptionCause.NONE, 2_000_000)
            .build());
    WindowDelta d = windows.drain().get(0);
    assertThat(d.counters())
        .contains(entry(new CounterKey(Counter.INTERRUPTION_CAUSE, "unknown"), 1L));
    assertThat(d.histograms().get(Metric.STREAM_CUT_UNKNOWN).getTotalCount()).isEqualTo(1);
  }

  @Test
  void counterAndMetricIdsRoundTrip() {
    for (Counter c : Counter.values()) {
      assertThat(Counter.fromId(c.id())).isEqualTo(c);
    }
    for (Metric m : Metric.values()) {
      assertThat(Metric.fromId(m.id())).isEqualTo(m);
    }
    assertThatThrownBy(() -> Metric.fromId("p99"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown metric 'p99'");
    assertThatThrownBy(() -> Counter.fromId("requests_total"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown counter 'requests_total'");
  }

  @org.junit.jupiter.api.Nested
  class Caps {
    private final WindowAggregator capped =
        new WindowAggregator(10_000, 2, cls -> -1, new WindowCaps(2, 1, 1));

    private Set<String> tenants(List<WindowDelta> deltas) {
      Set<String> out = new java.util.TreeSet<>();
      deltas.forEach(d -> out.add(d.key().tenant()));
      return out;
    }

    @Test
    void foldsTenantsBeyondTheCapIntoOverflowKeepingEveryCount() {
      for (String t : List.of("a", "b", "c", "d")) {
        capped.record(request().tenant(t).eventTime(T0).build());
      }
      capped.recordLateSpan("e", "standard_interactive", T0);

      List<WindowDelta> deltas = capped.drain();

      assertThat(tenants(deltas)).containsExactly("__overflow__", "a", "b");
      long requests = 0;
      for (WindowDelta d : deltas) {
        requests += d.counters().getOrDefault(CounterKey.of(Counter.REQUESTS), 0L);
      }
      assertThat(requests).isEqualTo(4);
      assertThat(capped.folded()).containsEntry("tenant", 3L);
    }

    @Test
    void neverFoldsAnAuthenticatedTenant() {
      for (String t : List.of("a", "b", "c")) {
        capped.record(request().tenant(t).authenticated().eventTime(T0).build());
      }

      assertThat(tenants(capped.drain())).containsExactly("a", "b", "c");
      assertThat(capped.folded()).containsEntry("tenant", 0L);
    }

    @Test
    void foldsWorkflowsAndClientPathsPerTenant() {
      capped.record(request().tenant("a").workflow("rag").tokens(10, 1).eventTime(T0).build());
      capped.record(request().tenant("a").workflow("agent").tokens(20, 2).eventTime(T0).build());
      capped.record(request().tenant("b").workflow("agent").tokens(5, 1).eventTime(T0).build());
      capped.record(
          request()
              .tenant("a")
              .clientTtft(1, 1, 1)
              .transport("vpn", false, 0)
              .eventTime(T0)
              .build());
      capped.record(
          request()
              .tenant("a")
              .clientTtft(1, 1, 1)
              .transport("mobile", false, 0)
              .eventTime(T0)
              .build());

      Map<String, Map<CounterKey, Long>> byTenant = new HashMap<>();
      for (WindowDelta d : capped.drain()) {
        byTenant.put(d.key().tenant(), d.counters());
      }
      assertThat(byTenant.get("a"))
          .containsEntry(new CounterKey(Counter.INPUT_TOKENS, "rag"), 10L)
          .containsEntry(new CounterKey(Counter.INPUT_TOKENS, "__overflow__"), 20L)
          .containsEntry(new CounterKey(Counter.CLIENT_PATH, "vpn"), 1L)
          .containsEntry(new CounterKey(Counter.CLIENT_PATH, "__overflow__"), 1L);
      assertThat(byTenant.get("b"))
          .containsEntry(new CounterKey(Counter.INPUT_TOKENS, "agent"), 5L);
      assertThat(capped.folded()).containsEntry("workflow", 1L).containsEntry("client_path", 1L);
    }

    @Test
    void countsSpansOverTheTraceCapInTheirWindow() {
      capped.recordSpans("a", false, "standard_interactive", T0, Counter.SPANS_OVER_TRACE_CAP, 7);

      assertThat(capped.drain().get(0).counters())
          .containsEntry(CounterKey.of(Counter.SPANS_OVER_TRACE_CAP), 7L);
    }
  }
}
