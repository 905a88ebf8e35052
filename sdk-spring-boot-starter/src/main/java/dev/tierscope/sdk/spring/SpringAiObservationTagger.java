package dev.tierscope.sdk.spring;

import dev.tierscope.sdk.BaggageSpanProcessor;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.opentelemetry.api.baggage.Baggage;
import java.util.Set;

/**
 * Adds the request's Tierscope tags to Spring AI's chat observations, so that their spans count for
 * the right class, workflow and tenant: the values in Baggage when the call runs inside a tagged
 * request, else the configured defaults ({@code tierscope.sdk.spring-ai.*}, {@code
 * tierscope.sdk.tenant}).
 *
 * <p>It matches the observations by name, as Spring AI's default conventions spell them: {@value
 * #CHAT_CLIENT} ({@code DefaultChatClientObservationConvention.DEFAULT_NAME} in {@code
 * spring-ai-client-chat}) and {@value #CHAT_MODEL} ({@code
 * DefaultChatModelObservationConvention.DEFAULT_NAME} in {@code spring-ai-model}). The tags are
 * high-cardinality key values: they reach the spans, not the metrics (a metric must keep one set of
 * tag keys).
 *
 * <p>Why at start: the observation may stop on another thread (a streamed answer), where the
 * request's Baggage is no longer current.
 */
public final class SpringAiObservationTagger implements ObservationHandler<Observation.Context> {

  /** Observation name of a {@code ChatClient} call. */
  public static final String CHAT_CLIENT = "spring.ai.chat.client";

  /** Observation name of a {@code ChatModel} call. */
  public static final String CHAT_MODEL = "gen_ai.client.operation";

  private static final Set<String> NAMES = Set.of(CHAT_CLIENT, CHAT_MODEL);

  private final String defaultClass;
  private final String defaultWorkflow;
  private final String defaultTenant;

  SpringAiObservationTagger(String defaultClass, String defaultWorkflow, String defaultTenant) {
    this.defaultClass = blankToNull(defaultClass);
    this.defaultWorkflow = blankToNull(defaultWorkflow);
    this.defaultTenant = blankToNull(defaultTenant);
  }

  /**
   * Every context: Micrometer asks when an observation is created, and some (Spring MVC's among
   * them) get their name only later. {@link #onStart} checks the name.
   */
  @Override
  public boolean supportsContext(Observation.Context context) {
    return context != null;
  }

  @Override
  public void onStart(Observation.Context context) {
    String name = context.getName();
    if (name == null || !NAMES.contains(name)) {
      return;
    }
    Baggage baggage = Baggage.current();
    tag(context, BaggageSpanProcessor.CLASS_KEY, baggage, defaultClass);
    tag(context, BaggageSpanProcessor.WORKFLOW_KEY, baggage, defaultWorkflow);
    tag(context, BaggageSpanProcessor.TENANT_KEY, baggage, defaultTenant);
  }

  private static void tag(
      Observation.Context context, String key, Baggage baggage, String fallback) {
    String value = blankToNull(baggage.getEntryValue(key));
    if (value == null) {
      value = fallback;
    }
    if (value != null) {
      context.addHighCardinalityKeyValue(KeyValue.of(key, value));
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
