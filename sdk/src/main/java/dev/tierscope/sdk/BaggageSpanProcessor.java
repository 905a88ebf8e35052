package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.List;

/**
 * Copies Tierscope's request tags from OpenTelemetry Baggage onto every span that starts, so that
 * plain OpenTelemetry instrumentation below a tagged entry point (HTTP clients, JDBC, Spring AI,
 * the Java agent's spans) reports the request's class, workflow and tenant without knowing
 * Tierscope.
 *
 * <p>The Baggage keys are the attribute names: {@value #CLASS_KEY}, {@value #WORKFLOW_KEY} and
 * {@value #TENANT_KEY}. They get there from {@link Tierscope#tag}, from a Tierscope request span
 * made current, from the application ({@code Baggage.current().toBuilder().put(...)}), or from an
 * upstream service in the W3C {@code baggage} header. Other Baggage entries are never copied: they
 * may hold anything, and would become unbounded span attributes.
 *
 * <p>Why not OpenTelemetry contrib's {@code BaggageSpanProcessor}: an attribute the span set itself
 * must win over the Baggage (a request span's own class over an upstream's), and a service may need
 * a default tenant; both are a few lines here.
 *
 * <pre>{@code
 * SdkTracerProvider.builder()
 *     .addSpanProcessor(BaggageSpanProcessor.create())
 *     .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
 *     .build();
 * }</pre>
 *
 * <p>An OpenTelemetry SDK set up by autoconfiguration (including the OpenTelemetry Java agent's,
 * with the SDK jar as an agent extension) gets it without code: see {@link
 * TierscopeAutoConfigurationCustomizerProvider}.
 */
public final class BaggageSpanProcessor implements SpanProcessor {

  /** Baggage key of the traffic class, copied to the span attribute of the same name. */
  public static final String CLASS_KEY = SpanAttributes.CLASS;

  /** Baggage key of the workflow, copied to the span attribute of the same name. */
  public static final String WORKFLOW_KEY = SpanAttributes.WORKFLOW;

  /** Baggage key of the tenant, copied to the span attribute of the same name. */
  public static final String TENANT_KEY = SpanAttributes.TENANT;

  /** The Baggage keys this processor copies, in order. */
  public static final List<String> KEYS = List.of(CLASS_KEY, WORKFLOW_KEY, TENANT_KEY);

  private static final List<AttributeKey<String>> ATTRIBUTES =
      KEYS.stream().map(AttributeKey::stringKey).toList();

  private static final AttributeKey<String> TENANT = AttributeKey.stringKey(TENANT_KEY);

  private final String defaultTenant;

  private BaggageSpanProcessor(String defaultTenant) {
    this.defaultTenant = defaultTenant;
  }

  /** A processor that copies the tags present in Baggage. */
  public static BaggageSpanProcessor create() {
    return new BaggageSpanProcessor(null);
  }

  /**
   * A processor that also sets {@code tierscope.tenant} to {@code defaultTenant} on spans whose
   * Baggage names no tenant (ignored when null or blank).
   */
  public static BaggageSpanProcessor withDefaultTenant(String defaultTenant) {
    return new BaggageSpanProcessor(
        defaultTenant == null || defaultTenant.isBlank() ? null : defaultTenant);
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    Baggage baggage = Baggage.fromContext(parentContext);
    for (int i = 0; i < ATTRIBUTES.size(); i++) {
      AttributeKey<String> key = ATTRIBUTES.get(i);
      String value = baggage.getEntryValue(KEYS.get(i));
      if (value != null && !value.isBlank() && span.getAttribute(key) == null) {
        span.setAttribute(key, value);
      }
    }
    if (defaultTenant != null && span.getAttribute(TENANT) == null) {
      span.setAttribute(TENANT, defaultTenant);
    }
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnd(ReadableSpan span) {}

  @Override
  public boolean isEndRequired() {
    return false;
  }

  @Override
  public String toString() {
    return "BaggageSpanProcessor{keys="
        + KEYS
        + (defaultTenant == null ? "" : ", defaultTenant=" + defaultTenant)
        + "}";
  }
}
