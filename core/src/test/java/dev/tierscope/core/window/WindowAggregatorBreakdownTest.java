package dev.tierscope.core.window;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SummaryBuilder.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.span.StreamOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Every request is recorded once more per dimension, exactly and within the caps. */
class WindowAggregatorBreakdownTest {

  private static final String[] PATHS = {"direct", "vpn", "sase", "mobile", ""};
  private static final String[] MODELS = {"gpt-4o", "llama-3-70b", ""};

  @Test
  void theValuesOfEachDimensionAddUpToTheWindowExactly() {
    WindowAggregator windows = new WindowAggregator(10_000, 2);
    SplittableRandom random = new SplittableRandom(19);
    Map<String, Histogram> ttftByModel = new HashMap<>();
    Map<String, Long> requestsByPath = new HashMap<>();
    for (int i = 0; i < 2_000; i++) {
      String path = PATHS[random.nextInt(PATHS.length)];
      String model = MODELS[random.nextInt(MODELS.length)];
      long ttft = 50_000 + random.nextInt(2_000_000);
      windows.record(
          request()
              .eventTime(T0 + random.nextInt(10_000_000))
              .clientTtft(ttft / 4, ttft / 4, ttft - 2 * (ttft / 4))
              .transport(path, false, 0)
              .dimensions("2", "wifi", "eu-west-1", model, "vllm")
              .stream(i % 7 == 0 ? StreamOutcome.INTERRUPTED : StreamOutcome.COMPLETED)
              .retrievals(2, 1, i % 3 == 0 ? 1 : 0)
              .build());
      ttftByModel
          .computeIfAbsent(model.isEmpty() ? "unknown" : model, m -> new Histogram(2))
          .recordValue(ttft);
      requestsByPath.merge(path.isEmpty() ? "unknown" : path, 1L, Long::sum);
    }

    List<WindowDelta> deltas = windows.drain();
    assertThat(deltas).hasSize(1);
    WindowDelta d = deltas.get(0);
    for (Dimension dim : Dimension.values()) {
      List<Slice> slices = d.slices().stream().filter(s -> s.dimension() == dim).toList();
      Histogram ttft = new Histogram(2);
      long requests = 0;
      long interrupted = 0;
      long fallbacks = 0;
      for (Slice s : slices) {
        ttft.add(s.histograms().get(Metric.TTFT));
        requests += s.requests();
        interrupted += s.counters().getOrDefault(Counter.INTERRUPTED, 0L);
        fallbacks += s.counters().getOrDefault(Counter.RETRIEVAL_FALLBACKS, 0L);
      }
      assertThat(ttft).as(dim.id()).isEqualTo(d.histograms().get(Metric.TTFT));
      assertThat(requests).isEqualTo(d.counters().get(CounterKey.of(Counter.REQUESTS)));
      assertThat(interrupted).isEqualTo(d.counters().get(CounterKey.of(Counter.INTERRUPTED)));
      assertThat(fallbacks).isEqualTo(d.counters().get(CounterKey.of(Counter.RETRIEVAL_FALLBACKS)));
    }
    Map<String, Slice> byModel = byValue(d, Dimension.MODEL);
    assertThat(byModel).containsOnlyKeys("gpt-4o", "llama-3-70b", "unknown");
    byModel.forEach(
        (model, s) ->
            assertThat(s.histograms().get(Metric.TTFT)).isEqualTo(ttftByModel.get(model)));
    assertThat(
            byValue(d, Dimension.CLIENT_PATH).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().requests())))
        .isEqualTo(requestsByPath);
    assertThat(byValue(d, Dimension.PROTOCOL_VERSION)).containsOnlyKeys("2");
    assertThat(byValue(d, Dimension.SERVICE)).containsOnlyKeys("vllm");
  }

  @Test
  void slicesEqualHistogramsOfTheRawValuesAtAnyPrecisionAndRange() {
    for (int digits = 1; digits <= 4; digits++) {
      WindowAggregator windows = new WindowAggregator(10_000, digits);
      SplittableRandom random = new SplittableRandom(digits);
      Histogram ttft = new Histogram(digits);
      Histogram queue = new Histogram(digits);
      for (int i = 0; i < 3_000; i++) {
        // from 0 to about an hour, most of them small
        long model = (long) (3_600_000_000L * Math.pow(random.nextDouble(), 6));
        long q = random.nextInt(3) == 0 ? 0 : random.nextLong(1L << random.nextInt(1, 32));
        windows.record(
            request()
                .eventTime(T0 + random.nextInt(10_000_000))
                .clientTtft(0, 0, model)
                .modelQueue(q)
                .dimensions("3", "cell", "us-east-1", "gpt-4o", "vllm")
                .build());
        ttft.recordValue(model);
        queue.recordValue(q);
      }
      WindowDelta d = windows.drain().get(0);
      for (Dimension dim : Dimension.values()) {
        Slice only = byValue(d, dim).values().iterator().next();
        assertThat(only.histograms().get(Metric.TTFT))
            .as("%s digits %d", dim, digits)
            .isEqualTo(ttft);
        assertThat(only.histograms().get(Metric.MODEL_QUEUE)).isEqualTo(queue);
        assertThat(only.histograms().get(Metric.TTFT).getValueAtPercentile(99))
            .isEqualTo(ttft.getValueAtPercentile(99));
      }
    }
  }

  @Test
  void aFloodOfDistinctModelsCostsTheCapPlusOneOverflowSliceAndKeepsTheTotals() {
    WindowAggregator windows =
        new WindowAggregator(10_000, 2, c -> -1, new WindowCaps(1_000, 100, 16, 16, 8, 16));
    for (int i = 0; i < 5_000; i++) {
      windows.record(
          request()
              .eventTime(T0 + i)
              .gatewayTtft(100_000 + i)
              .dimensions("3", "cell", "", "model-" + i, "svc")
              .build());
    }

    WindowDelta d = windows.drain().get(0);
    Map<String, Slice> byModel = byValue(d, Dimension.MODEL);
    assertThat(byModel).hasSize(8 + 1).containsKey(CappedDimension.OVERFLOW);
    assertThat(byModel.get(CappedDimension.OVERFLOW).requests()).isEqualTo(5_000 - 8);
    assertThat(byModel.values().stream().mapToLong(Slice::requests).sum()).isEqualTo(5_000);
    assertThat(windows.folded()).containsEntry("model", 5_000L - 8).containsEntry("region", 0L);
    assertThat(byValue(d, Dimension.REGION)).containsOnlyKeys("unknown");
    assertThat(byValue(d, Dimension.CONNECTION_TYPE)).containsOnlyKeys("cell");
  }

  @Test
  void closedDimensionsNeverExceedTheirSetWhateverIsReported() {
    WindowAggregator windows = new WindowAggregator(10_000, 2);
    for (int i = 0; i < 1_000; i++) {
      windows.record(
          request()
              .eventTime(T0 + i)
              .transport("path-" + i, false, 0)
              .dimensions("v" + i, "type-" + i, "", "", "")
              .build());
    }
    WindowDelta d = windows.drain().get(0);
    assertThat(byValue(d, Dimension.CLIENT_PATH)).containsOnlyKeys("other");
    assertThat(byValue(d, Dimension.PROTOCOL_VERSION)).containsOnlyKeys("other");
    assertThat(byValue(d, Dimension.CONNECTION_TYPE)).containsOnlyKeys("other");
  }

  private static Map<String, Slice> byValue(WindowDelta d, Dimension dim) {
    return d.slices().stream()
        .filter(s -> s.dimension() == dim)
        .collect(Collectors.toMap(Slice::value, s -> s));
  }
}
