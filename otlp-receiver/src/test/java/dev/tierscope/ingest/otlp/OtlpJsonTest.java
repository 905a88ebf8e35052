package dev.tierscope.ingest.otlp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpJsonTest {

  /** The trace example of the OTLP specification (opentelemetry-proto examples/trace.json). */
  static final String SPEC_EXAMPLE =
      """
      {
        "resourceSpans": [
          {
            "resource": {
              "attributes": [
                { "key": "service.name", "value": { "stringValue": "my.service" } }
              ]
            },
            "scopeSpans": [
              {
                "scope": {
                  "name": "my.library",
                  "version": "1.0.0",
                  "attributes": [
                    { "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }
                  ]
                },
                "spans": [
                  {
                    "traceId": "5B8EFFF798038103D269B633813FC60C",
                    "spanId": "EEE19B7EC3C1B174",
                    "parentSpanId": "EEE19B7EC3C1B173",
                    "name": "I'm a server span",
                    "startTimeUnixNano": "1544712660000000000",
                    "endTimeUnixNano": "1544712661000000000",
                    "kind": 2,
                    "attributes": [
                      { "key": "my.span.attr", "value": { "stringValue": "some value" } }
                    ]
                  }
                ]
              }
            ]
          }
        ]
      }
      """;

  @Test
  void decodesTheSpecificationExample() throws Exception {
    ExportTraceServiceRequest request = parse(SPEC_EXAMPLE);

    ResourceSpans rs = request.getResourceSpans(0);
    assertThat(rs.getResource().getAttributes(0).getValue().getStringValue())
        .isEqualTo("my.service");
    InstrumentationScope scope = rs.getScopeSpans(0).getScope();
    assertThat(scope.getName()).isEqualTo("my.library");
    assertThat(scope.getVersion()).isEqualTo("1.0.0");
    Span span = rs.getScopeSpans(0).getSpans(0);
    assertThat(hex(span.getTraceId())).isEqualTo("5b8efff798038103d269b633813fc60c");
    assertThat(hex(span.getSpanId())).isEqualTo("eee19b7ec3c1b174");
    assertThat(hex(span.getParentSpanId())).isEqualTo("eee19b7ec3c1b173");
    assertThat(span.getName()).isEqualTo("I'm a server span");
    assertThat(span.getStartTimeUnixNano()).isEqualTo(1_544_712_660_000_000_000L);
    assertThat(span.getEndTimeUnixNano()).isEqualTo(1_544_712_661_000_000_000L);
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(span.getAttributes(0).getKey()).isEqualTo("my.span.attr");
  }

  @Test
  void decodesWhatProtobufJsonFormatPrintsOnceIdsAreHex() throws Exception {
    Random random = new Random(42);
    for (int i = 0; i < 50; i++) {
      ExportTraceServiceRequest original = randomRequest(random);
      String camel = idsToHex(JsonFormat.printer().print(original));
      String snakeWithEnumNumbers =
          idsToHex(
              JsonFormat.printer()
                  .preservingProtoFieldNames()
                  .printingEnumsAsInts()
                  .omittingInsignificantWhitespace()
                  .print(original));

      assertThat(parse(camel)).isEqualTo(original);
      assertThat(parse(snakeWithEnumNumbers)).isEqualTo(original);
    }
  }

  @Test
  void readsIdsInAnyCaseAndEmptyIdsAsAbsent() throws Exception {
    Span span =
        firstSpan(
            """
            {"resourceSpans":[{"scopeSpans":[{"spans":[{
              "traceId":"4BF92f3577B34DA6a3ce929d0e0e4736","spanId":"00F067AA0ba902b7",
              "parentSpanId":""}]}]}]}
            """);

    assertThat(hex(span.getTraceId())).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(hex(span.getSpanId())).isEqualTo("00f067aa0ba902b7");
    assertThat(span.getParentSpanId()).isEmpty();
  }

  @Test
  void readsHexIdsOfLinks() throws Exception {
    Span span =
        firstSpan(
            """
            {"resourceSpans":[{"scopeSpans":[{"spans":[{"links":[
              {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174"}]}]}]}]}
            """);

    assertThat(hex(span.getLinks(0).getTraceId())).isEqualTo("5b8efff798038103d269b633813fc60c");
    assertThat(hex(span.getLinks(0).getSpanId())).isEqualTo("eee19b7ec3c1b174");
  }

  @Test
  void reads64BitIntegersAsStringsOrNumbers() throws Exception {
    Span span =
        firstSpan(
            """
            {"resourceSpans":[{"scopeSpans":[{"spans":[{
              "startTimeUnixNano":1544712660000000000,"endTimeUnixNano":"1544712661000000000",
              "attributes":[
                {"key":"a","value":{"intValue":"-42"}},
                {"key":"b","value":{"intValue":9007199254740993}},
                {"key":"c","value":{"intValue":"1e3"}},
                {"key":"d","value":{"doubleValue":"NaN"}},
                {"key":"e","value":{"doubleValue":1.5}},
                {"key":"f","value":{"doubleValue":"2.25"}},
                {"key":"g","value":{"intValue":7.0}}],
              "droppedAttributesCount":"3"}]}]}]}
            """);

    assertThat(span.getStartTimeUnixNano()).isEqualTo(1_544_712_660_000_000_000L);
    assertThat(span.getEndTimeUnixNano()).isEqualTo(1_544_712_661_000_000_000L);
    assertThat(span.getAttributes(0).getValue().getIntValue()).isEqualTo(-42);
    assertThat(span.getAttributes(1).getValue().getIntValue()).isEqualTo(9_007_199_254_740_993L);
    assertThat(span.getAttributes(2).getValue().getIntValue()).isEqualTo(1000);
    assertThat(span.getAttributes(3).getValue().getDoubleValue()).isNaN();
    assertThat(span.getAttributes(4).getValue().getDoubleValue()).isEqualTo(1.5);
    assertThat(span.getAttributes(5).getValue().getDoubleValue()).isEqualTo(2.25);
    assertThat(span.getAttributes(6).getValue().getIntValue()).isEqualTo(7);
    assertThat(span.getDroppedAttributesCount()).isEqualTo(3);
  }

  @Test
  void readsTimesAboveTwoToTheSixtyThree() throws Exception {
    Span span =
        firstSpan(
            """
            {"resourceSpans":[{"scopeSpans":[{"spans":[{
              "startTimeUnixNano":"18446744073709551615","endTimeUnixNano":9223372036854775808}]}]}]}
            """);

    assertThat(Long.toUnsignedString(span.getStartTimeUnixNano()))
        .isEqualTo("18446744073709551615");
    assertThat(Long.toUnsignedString(span.getEndTimeUnixNano())).isEqualTo("9223372036854775808");
  }

  @Test
  void readsEnumsAsNumbersOrNames() throws Exception {
    ExportTraceServiceRequest request =
        parse(
            """
            {"resourceSpans":[{"scopeSpans":[{"spans":[
              {"kind":3,"status":{"code":2,"message":"boom"}},
              {"kind":"SPAN_KIND_CONSUMER","status":{"code":"STATUS_CODE_OK"}},
              {"kind":"SPAN_KIND_FROM_THE_FUTURE"},
              {"kind":42}]}]}]}
            """);

    var spans = request.getResourceSpans(0).getScopeSpans(0).getSpansList();
    assertThat(spans.get(0).getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(spans.get(0).getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(spans.get(0).getStatus().getMessage()).isEqualTo("boom");
    assertThat(spans.get(1).getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CONSUMER);
    assertThat(spans.get(1).getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_OK);
    assertThat(spans.get(2).getKindValue()).isZero();
    assertThat(spans.get(3).getKindValue()).isEqualTo(42);
  }

  @Test
  void ignoresUnknownFieldsAndNulls() throws Exception {
    ExportTraceServiceRequest request =
        parse(
            """
            {"futureTopLevel":{"deep":[1,{"x":[true,null]}]},
             "resourceSpans":[{"resource":{"entityRefs":[{"type":"host"}],"attributes":null},
              "scopeSpans":[null,{"spans":[{"name":"s","unknownNumber":1.5e300,"status":null,
                "events":[{"name":"first_token","timeUnixNano":"5","extra":"x"}]}],
              "schemaUrl":null}]}]}
            """);

    ScopeSpans scopeSpans = request.getResourceSpans(0).getScopeSpans(0);
    assertThat(request.getResourceSpans(0).getScopeSpansCount()).isEqualTo(1);
    assertThat(scopeSpans.getSpans(0).getName()).isEqualTo("s");
    assertThat(scopeSpans.getSpans(0).getEvents(0).getTimeUnixNano()).isEqualTo(5);
    assertThat(scopeSpans.getSchemaUrl()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "{}", "\n{ }\n"})
  void readsAnEmptyRequest(String body) throws Exception {
    assertThat(parse(body)).isEqualTo(ExportTraceServiceRequest.getDefaultInstance());
  }

  @Test
  void readsBytesValuesAsBase64() throws Exception {
    Span span =
        firstSpan(
            """
            {"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[
              {"key":"b","value":{"bytesValue":"AQID/w=="}},
              {"key":"u","value":{"bytesValue":"AQID_w"}}]}]}]}]}
            """);

    assertThat(span.getAttributes(0).getValue().getBytesValue().toByteArray())
        .containsExactly(1, 2, 3, 255);
    assertThat(span.getAttributes(1).getValue().getBytesValue().toByteArray())
        .containsExactly(1, 2, 3, 255);
  }

  // ---- errors name the path and the problem

  @Test
  void rejectsBase64IdsWithTheirPath() {
    assertParseError(
        """
        {"resourceSpans":[{"scopeSpans":[{"spans":[{},{"traceId":"W47/95gDgQPSabYzgT/GDA=="}]}]}]}
        """,
        "resourceSpans[0].scopeSpans[0].spans[1].traceId: expected a hex string (OTLP/JSON ids"
            + " are hex, not base64), got \"W47/95gDgQPSabYzgT/GDA==\"");
  }

  @Test
  void rejectsIdsWithNonHexCharacters() {
    assertParseError(
        """
        {"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"00f067aa0ba902zz"}]}]}]}
        """,
        "resourceSpans[0].scopeSpans[0].spans[0].spanId: expected a hex string (OTLP/JSON ids are"
            + " hex, not base64), got \"00f067aa0ba902zz\"");
  }

  @Test
  void rejectsWrongTypesWithTheirPath() {
    assertParseError(
        """
        {"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"yesterday"}]}]}]}
        """,
        "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected an unsigned 64-bit"
            + " integer, got \"yesterday\"");
    assertParseError("{\"resourceSpans\":{}}", "resourceSpans: expected an array, got an object");
    assertParseError(
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":7}]}}]}",
        "resourceSpans[0].resource.attributes[0].key: expected a string, got the number 7");
    assertParseError(
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":-1}]}]}]}",
        "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected an unsigned 64-bit"
            + " integer, got -1");
    assertParseError(
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":true}]}]}]}",
        "resourceSpans[0].scopeSpans[0].spans[0].kind: expected an enum number, got true");
  }

  @Test
  void rejectsIntegersOutOfRange() {
    assertParseError(
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\","
            + "\"value\":{\"intValue\":\"9223372036854775808\"}}]}]}]}]}",
        "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: expected a 64-bit"
            + " integer, got 9223372036854775808");
    assertParseError(
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"endTimeUnixNano\":\"1e999999999\"}]}]}]}",
        "resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano: expected an unsigned 64-bit"
            + " integer, got \"1e999999999\"");
  }

  @Test
  void rejectsSyntaxErrorsWithTheirLocation() {
    assertThatThrownBy(() -> parse("{\"resourceSpans\":[{]}"))
        .isInstanceOf(OtlpJsonException.class)
        .hasMessageStartingWith("invalid JSON at line 1, column 20: ");
    assertThatThrownBy(() -> parse("{\"resourceSpans\":["))
        .isInstanceOf(OtlpJsonException.class)
        .hasMessage(
            "invalid JSON at line 1, column 19: Unexpected end-of-input: expected close marker for"
                + " Array");
    assertThatThrownBy(() -> parse("\u001f\u008b\b\u0000"))
        .isInstanceOf(OtlpJsonException.class)
        .hasMessageStartingWith("invalid JSON");
  }

  @Test
  void rejectsSomethingOtherThanOneObject() {
    assertParseError("[]", "expected an object, got an array");
    assertParseError("{} {}", "unexpected content after the request object");
    assertParseError("\"hello\"", "expected an object, got the string \"hello\"");
  }

  // ---- responses

  @Test
  void writesAnEmptyObjectForFullSuccess() {
    assertThat(json(OtlpJson.exportResponse(ExportTraceServiceResponse.getDefaultInstance())))
        .isEqualTo("{}");
  }

  @Test
  void writesPartialSuccessWithRejectedSpansAsString() {
    ExportTraceServiceResponse response =
        ExportTraceServiceResponse.newBuilder()
            .setPartialSuccess(
                ExportTracePartialSuccess.newBuilder()
                    .setRejectedSpans(2)
                    .setErrorMessage("rejected 2 spans: \"quoted\""))
            .build();

    assertThat(json(OtlpJson.exportResponse(response)))
        .isEqualTo(
            "{\"partialSuccess\":{\"rejectedSpans\":\"2\","
                + "\"errorMessage\":\"rejected 2 spans: \\\"quoted\\\"\"}}");
  }

  @Test
  void writesAWarningWithoutRejectedSpans() {
    ExportTraceServiceResponse response =
        ExportTraceServiceResponse.newBuilder()
            .setPartialSuccess(ExportTracePartialSuccess.newBuilder().setErrorMessage("note"))
            .build();

    assertThat(json(OtlpJson.exportResponse(response)))
        .isEqualTo("{\"partialSuccess\":{\"errorMessage\":\"note\"}}");
  }

  @Test
  void writesRpcStatus() {
    assertThat(json(OtlpJson.status(3, "bad \"body\"")))
        .isEqualTo("{\"code\":3,\"message\":\"bad \\\"body\\\"\"}");
  }

  // ---- helpers

  private static void assertParseError(String json, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(OtlpJsonException.class).hasMessage(message);
  }

  private static ExportTraceServiceRequest parse(String json) throws OtlpJsonException {
    return OtlpJson.parseExportRequest(json.getBytes(UTF_8));
  }

  private static Span firstSpan(String json) throws OtlpJsonException {
    return parse(json).getResourceSpans(0).getScopeSpans(0).getSpans(0);
  }

  private static String json(byte[] bytes) {
    return new String(bytes, UTF_8);
  }

  private static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  private static final Pattern ID =
      Pattern.compile(
          "\"(traceId|spanId|parentSpanId|trace_id|span_id|parent_span_id)\"\\s*:\\s*\"([^\"]*)\"");

  /** Rewrites protobuf JSON's base64 ids into OTLP/JSON's hex ids. */
  static String idsToHex(String json) {
    Matcher m = ID.matcher(json);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String hex = HexFormat.of().formatHex(Base64.getDecoder().decode(m.group(2)));
      // Alternate the case: OTLP/JSON ids are case-insensitive.
      if ((out.length() & 1) == 0) {
        hex = hex.toUpperCase(java.util.Locale.ROOT);
      }
      m.appendReplacement(out, "\"" + m.group(1) + "\": \"" + hex + "\"");
    }
    m.appendTail(out);
    return out.toString();
  }

  // ---- random requests that use every field the decoder knows

  static ExportTraceServiceRequest randomRequest(Random r) {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    for (int i = 0, n = r.nextInt(3); i <= n; i++) {
      ResourceSpans.Builder rs =
          ResourceSpans.newBuilder()
              .setResource(
                  Resource.newBuilder()
                      .addAllAttributes(attributes(r, 2))
                      .setDroppedAttributesCount(r.nextInt(3)));
      if (r.nextBoolean()) {
        rs.setSchemaUrl("https://opentelemetry.io/schemas/1.26.0");
      }
      for (int j = 0, m = r.nextInt(3); j <= m; j++) {
        ScopeSpans.Builder ss =
            ScopeSpans.newBuilder()
                .setScope(
                    InstrumentationScope.newBuilder()
                        .setName("lib-" + r.nextInt(100))
                        .setVersion("1." + r.nextInt(9))
                        .addAllAttributes(attributes(r, 1))
                        .setDroppedAttributesCount(r.nextInt(2)));
        if (r.nextBoolean()) {
          ss.setSchemaUrl("s" + r.nextInt(5));
        }
        for (int k = 0, s = r.nextInt(4); k <= s; k++) {
          ss.addSpans(randomSpan(r));
        }
        rs.addScopeSpans(ss);
      }
      request.addResourceSpans(rs);
    }
    return request.build();
  }

  private static Span randomSpan(Random r) {
    long start = r.nextLong();
    Span.Builder span =
        Span.newBuilder()
            .setTraceId(bytes(r, 16))
            .setSpanId(bytes(r, 8))
            .setParentSpanId(r.nextBoolean() ? ByteString.EMPTY : bytes(r, 8))
            .setTraceState(r.nextBoolean() ? "" : "vendor=" + r.nextInt(100))
            .setFlags(r.nextInt())
            .setName(
                r.nextBoolean() ? "chat \u00e9\u6f22\uD83D\uDE80 \"q\"\n" : "span" + r.nextInt())
            .setKindValue(r.nextInt(6))
            .setStartTimeUnixNano(start)
            .setEndTimeUnixNano(start + r.nextInt(1_000_000))
            .addAllAttributes(attributes(r, 4))
            .setDroppedAttributesCount(r.nextInt(4))
            .setDroppedEventsCount(r.nextInt(2))
            .setDroppedLinksCount(r.nextInt(2));
    for (int i = 0, n = r.nextInt(3); i < n; i++) {
      span.addEvents(
          Span.Event.newBuilder()
              .setName("first_token")
              .setTimeUnixNano(r.nextLong())
              .addAllAttributes(attributes(r, 1))
              .setDroppedAttributesCount(r.nextInt(2)));
    }
    for (int i = 0, n = r.nextInt(2); i < n; i++) {
      span.addLinks(
          Span.Link.newBuilder()
              .setTraceId(bytes(r, 16))
              .setSpanId(bytes(r, 8))
              .setTraceState("k=v")
              .addAllAttributes(attributes(r, 1))
              .setDroppedAttributesCount(r.nextInt(2))
              .setFlags(r.nextInt()));
    }
    if (r.nextBoolean()) {
      span.setStatus(Status.newBuilder().setCodeValue(r.nextInt(3)).setMessage("m" + r.nextInt()));
    }
    return span.build();
  }

  private static java.util.List<KeyValue> attributes(Random r, int max) {
    java.util.List<KeyValue> list = new java.util.ArrayList<>();
    for (int i = 0, n = r.nextInt(max + 1); i < n; i++) {
      list.add(KeyValue.newBuilder().setKey("k" + i).setValue(anyValue(r, 2)).build());
    }
    return list;
  }

  private static AnyValue anyValue(Random r, int depth) {
    AnyValue.Builder v = AnyValue.newBuilder();
    switch (r.nextInt(depth > 0 ? 8 : 6)) {
      case 0 -> v.setStringValue("v\u00fc" + r.nextInt());
      case 1 -> v.setBoolValue(r.nextBoolean());
      case 2 -> v.setIntValue(r.nextLong());
      case 3 ->
          v.setDoubleValue(
              switch (r.nextInt(4)) {
                case 0 -> Double.POSITIVE_INFINITY;
                case 1 -> -0.5e-300;
                default -> r.nextGaussian() * 1e6;
              });
      case 4 -> v.setBytesValue(bytes(r, r.nextInt(10)));
      case 5 -> v.setStringValueStrindex(r.nextInt(100));
      case 6 -> {
        ArrayValue.Builder a = ArrayValue.newBuilder();
        for (int i = 0, n = r.nextInt(3); i < n; i++) {
          a.addValues(anyValue(r, depth - 1));
        }
        v.setArrayValue(a);
      }
      default -> {
        KeyValueList.Builder l = KeyValueList.newBuilder();
        for (int i = 0, n = r.nextInt(3); i < n; i++) {
          l.addValues(
              KeyValue.newBuilder()
                  .setKey("n" + i)
                  .setKeyStrindex(r.nextInt(3))
                  .setValue(anyValue(r, depth - 1)));
        }
        v.setKvlistValue(l);
      }
    }
    return v.build();
  }

  private static ByteString bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return ByteString.copyFrom(b);
  }
}
