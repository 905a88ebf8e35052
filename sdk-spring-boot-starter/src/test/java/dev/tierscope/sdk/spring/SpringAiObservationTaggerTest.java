package dev.tierscope.sdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The tags on Spring AI's observations, matched by the observation names Spring AI uses. */
class SpringAiObservationTaggerTest {

  private final List<Observation.Context> stopped = new ArrayList<>();
  private final ObservationRegistry registry = ObservationRegistry.create();

  SpringAiObservationTaggerTest() {
    registry
        .observationConfig()
        .observationHandler(new SpringAiObservationTagger("deferred_batch", "nightly", "acme"))
        .observationHandler(
            new ObservationHandler<>() {
              @Override
              public boolean supportsContext(Observation.Context context) {
                return true;
              }

              @Override
              public void onStop(Observation.Context context) {
                stopped.add(context);
              }
            });
  }

  private Map<String, String> tagsOf(String observationName) {
    Observation.createNotStarted(observationName, registry).start().stop();
    Observation.Context context = stopped.get(stopped.size() - 1);
    assertThat(context.getLowCardinalityKeyValues().stream().map(KeyValue::getKey))
        .noneMatch(k -> k.startsWith("tierscope."));
    return context.getHighCardinalityKeyValues().stream()
        .collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
  }

  @Test
  void chatObservationsInsideATaggedRequestGetItsTags() {
    Baggage request =
        Baggage.builder()
            .put("tierscope.class", "interactive_premium")
            .put("tierscope.workflow", "support")
            .put("tierscope.tenant", "globex")
            .build();
    try (Scope s = request.makeCurrent()) {
      for (String name : List.of("spring.ai.chat.client", "gen_ai.client.operation")) {
        assertThat(tagsOf(name))
            .as(name)
            .containsEntry("tierscope.class", "interactive_premium")
            .containsEntry("tierscope.workflow", "support")
            .containsEntry("tierscope.tenant", "globex");
      }
    }
  }

  @Test
  void chatObservationsOutsideATaggedRequestGetTheDefaults() {
    assertThat(tagsOf("spring.ai.chat.client"))
        .containsEntry("tierscope.class", "deferred_batch")
        .containsEntry("tierscope.workflow", "nightly")
        .containsEntry("tierscope.tenant", "acme");
  }

  @Test
  void otherObservationsAreLeftAlone() {
    assertThat(tagsOf("http.server.requests")).isEmpty();
    assertThat(tagsOf("spring.ai.advisor")).isEmpty();
  }

  @Test
  void anObservationNamedOnlyAfterItWasCreatedIsHandled() {
    // Observations made from a convention (Spring MVC's, Spring AI's) get their name from it
    // after Micrometer picked the handlers.
    Observation.Context unnamed = new Observation.Context();
    ObservationConvention<Observation.Context> convention =
        new ObservationConvention<>() {
          @Override
          public String getName() {
            return "spring.ai.chat.client";
          }

          @Override
          public boolean supportsContext(Observation.Context context) {
            return true;
          }
        };
    Observation.createNotStarted(null, convention, () -> unnamed, registry).start().stop();
    assertThat(unnamed.getHighCardinalityKeyValue("tierscope.class").getValue())
        .isEqualTo("deferred_batch");
  }
}
