package dev.tierscope.ingest.otlp;

import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.attr;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.events;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.id;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.request;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.resource;
import static dev.tierscope.ingest.otlp.OtlpSpanNormalizerTest.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.wire.v1.SpanEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tenant of an authenticated request is the caller's, never the span's. */
class CallerTenantTest {

  // the spans' own time, so that the receiver's time bounds let them in
  final OtlpSpanNormalizer normalizer =
      new OtlpSpanNormalizer(
          TrafficClasses.defaults(),
          128,
          OtlpSpanNormalizer.UnknownClassPolicy.ACCEPT,
          SpanTimeBounds.DEFAULTS,
          OtlpSpanNormalizerTest.CLOCK);

  @Test
  void storesSpansThatNameNoTenantOrTheCallersUnderTheCallersTenant() {
    NormalizedBatch batch =
        normalizer.normalize(
            request(
                resource(),
                span(),
                span()
                    .setSpanId(id("00000000000000a2"))
                    .addAttributes(attr(SpanAttributes.TENANT, "acme")),
                span()
                    .setSpanId(id("00000000000000a3"))
                    .addAttributes(attr(SpanAttributes.TENANT, ""))),
            "acme",
            true);

    assertThat(batch.rejectedSpans()).isZero();
    assertThat(events(batch))
        .extracting(SpanEvent::getTenant)
        .containsExactly("acme", "acme", "acme");
  }

  @Test
  void rejectsASpanOrResourceNamingAnotherTenantWithTheReason() {
    NormalizedBatch spanLevel =
        normalizer.normalize(
            request(
                resource(attr(SpanAttributes.TENANT, "acme")),
                span(),
                span()
                    .setSpanId(id("00000000000000b2"))
                    .addAttributes(attr(SpanAttributes.TENANT, "globex"))),
            "acme",
            true);

    assertThat(events(spanLevel)).extracting(SpanEvent::getTenant).containsExactly("acme");
    assertThat(spanLevel.rejectedSpans()).isEqualTo(1);
    assertThat(spanLevel.rejectedByReason())
        .isEqualTo(Map.of(OtlpSpanNormalizer.REASON_TENANT_MISMATCH, 1));
    assertThat(spanLevel.rejectionMessage())
        .isEqualTo(
            "rejected 1 span: span 00000000000000b2: tierscope.tenant 'globex' is not the tenant"
                + " this request is authenticated for ('acme')");

    NormalizedBatch resourceLevel =
        normalizer.normalize(
            request(resource(attr(SpanAttributes.TENANT, "globex")), span()), "acme", true);
    assertThat(resourceLevel.accepted()).isEmpty();
    assertThat(resourceLevel.rejectedByReason())
        .isEqualTo(Map.of(OtlpSpanNormalizer.REASON_TENANT_MISMATCH, 1));

    // The span's own tenant outranks its resource's, as without authentication.
    NormalizedBatch override =
        normalizer.normalize(
            request(
                resource(attr(SpanAttributes.TENANT, "globex")),
                span().addAttributes(attr(SpanAttributes.TENANT, "acme"))),
            "acme",
            true);
    assertThat(events(override)).extracting(SpanEvent::getTenant).containsExactly("acme");
  }

  @Test
  void withoutACallerTenantTheSpansNameTheirOwn() {
    NormalizedBatch batch =
        normalizer.normalize(
            request(resource(attr(SpanAttributes.TENANT, "globex")), span()), null, false);

    assertThat(events(batch)).extracting(SpanEvent::getTenant).containsExactly("globex");
    assertThat(events(batch)).extracting(SpanEvent::getTenantAuthenticated).containsOnly(false);
  }

  @Test
  void marksTheCallersTenantAuthenticatedOnlyWhenTheCallerWasIdentified() {
    NormalizedBatch token =
        normalizer.normalize(
            request(resource(), span(), span().setSpanId(id("00000000000000c2"))), "acme", true);
    // a tenant an anonymous caller named (the none mode's X-Scope-OrgID) folds like any other
    NormalizedBatch named =
        normalizer.normalize(
            request(resource(), span(), span().setSpanId(id("00000000000000c2"))), "acme", false);

    assertThat(events(token)).extracting(SpanEvent::getTenant).containsOnly("acme");
    assertThat(events(token)).extracting(SpanEvent::getTenantAuthenticated).containsOnly(true);
    assertThat(events(named)).extracting(SpanEvent::getTenant).containsOnly("acme");
    assertThat(events(named)).extracting(SpanEvent::getTenantAuthenticated).containsOnly(false);
  }
}
