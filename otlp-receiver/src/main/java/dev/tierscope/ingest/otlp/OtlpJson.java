package dev.tierscope.ingest.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
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
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;

/**
 * OTLP/JSON for traces: decodes an {@code ExportTraceServiceRequest} and encodes the responses.
 *
 * <p>Why not protobuf's {@code JsonFormat}: OTLP/JSON deviates from the protobuf JSON mapping in
 * the one place every span has, trace and span ids, which are hex, not base64 (OTLP specification,
 * "JSON Protobuf Encoding"). {@code JsonFormat} would need the ids rewritten in a parsed tree first
 * and then parse that tree again; this streaming decoder reads the body once, straight into the
 * protobuf builders, so JSON costs little more than protobuf. It follows the OTLP rules:
 *
 * <ul>
 *   <li>{@code traceId}, {@code spanId}, {@code parentSpanId} (also in links) are hex, in any case;
 *       an empty string is an absent id;
 *   <li>keys are lowerCamelCase; the original snake_case names are accepted too, as in the protobuf
 *       JSON mapping;
 *   <li>enums are integers (their names are accepted too; an unknown name counts as 0);
 *   <li>64-bit integers are decimal strings or JSON numbers; doubles may be numbers or strings
 *       ({@code "NaN"}, {@code "Infinity"});
 *   <li>unknown fields and {@code null} values are ignored; {@code bytesValue} is base64.
 * </ul>
 *
 * <p>Type errors are reported with the JSON path, e.g. {@code
 * resourceSpans[0].scopeSpans[0].spans[3].startTimeUnixNano: expected an unsigned 64-bit integer,
 * got "yesterday"}. The decoder never throws anything but {@link OtlpJsonException}.
 *
 * <pre>{@code
 * ExportTraceServiceRequest request = OtlpJson.parseExportRequest(body);
 * byte[] ok = OtlpJson.exportResponse(response);
 * byte[] error = OtlpJson.status(3, "body is not OTLP/JSON: ...");
 * }</pre>
 */
public final class OtlpJson {

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final BigInteger UINT64_MAX =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final int MAX_SHOWN_CHARS = 48;

  private OtlpJson() {}

  /**
   * Decodes an OTLP/JSON trace export. An empty body (or only whitespace) is an empty request.
   *
   * @throws OtlpJsonException when the body is not JSON or does not fit the OTLP message
   */
  public static ExportTraceServiceRequest parseExportRequest(byte[] body) throws OtlpJsonException {
    return parseExportRequest(body, 0, body.length);
  }

  /** As {@link #parseExportRequest(byte[])}, for {@code length} bytes from {@code offset}. */
  private static ExportTraceServiceRequest parseExportRequest(byte[] body, int offset, int length)
      throws OtlpJsonException {
    try (JsonParser parser =
        FACTORY.createParser(ObjectReadContext.empty(), body, offset, length)) {
      return new Decoder(parser).request();
    } catch (JacksonException e) {
      StringBuilder m = new StringBuilder("invalid JSON");
      TokenStreamLocation at = e.getLocation();
      if (at != null && at.getLineNr() > 0) {
        m.append(" at line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr());
      }
      throw new OtlpJsonException(m.append(": ").append(clean(e.getOriginalMessage())).toString());
    }
  }

  /** Jackson's message without its references to a source it does not show anyway. */
  private static String clean(String message) {
    if (message == null) {
      return "unreadable input";
    }
    return message
        .replaceAll("\\s*\\(start marker at \\[Source: [^\\]]*\\]\\)", "")
        .replaceAll("\\s*\\[Source: [^\\]]*\\]", "")
        .trim();
  }

  /**
   * The JSON of an {@code ExportTraceServiceResponse}: {@code {}} for full success, else {@code
   * {"partialSuccess":{"rejectedSpans":"2","errorMessage":"..."}}} (int64 as a string, as the
   * protobuf JSON mapping writes it; zero and empty fields left out).
   */
  public static byte[] exportResponse(ExportTraceServiceResponse response) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), out)) {
      g.writeStartObject();
      if (response.hasPartialSuccess()) {
        g.writeName("partialSuccess");
        g.writeStartObject();
        long rejected = response.getPartialSuccess().getRejectedSpans();
        if (rejected != 0) {
          g.writeStringProperty("rejectedSpans", Long.toString(rejected));
        }
        String message = response.getPartialSuccess().getErrorMessage();
        if (!message.isEmpty()) {
          g.writeStringProperty("errorMessage", message);
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  /** The JSON of a {@code google.rpc.Status}: {@code {"code":3,"message":"..."}}. */
  public static byte[] status(int code, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), out)) {
      g.writeStartObject();
      g.writeNumberProperty("code", code);
      g.writeStringProperty("message", message);
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  /** Reads one field's value (the decoder is on it) into a message builder. */
  @FunctionalInterface
  private interface FieldReader<B> {
    void read(Decoder d, B builder) throws OtlpJsonException;
  }

  /** Reads one element of an array, the parser on its first token. */
  @FunctionalInterface
  private interface ElementReader {
    void read() throws OtlpJsonException;
  }

  /** Reads the field of a name; returns false for a name it does not know (then skipped). */
  @FunctionalInterface
  private interface NameReader {
    boolean read(String name) throws OtlpJsonException;
  }

  /**
   * The fields of one OTLP message by JSON name, each under its lowerCamelCase name and the proto's
   * snake_case name (derived, so the two cannot disagree).
   */
  private static final class Fields<B> {
    private final Map<String, FieldReader<B>> byName = new HashMap<>();

    Fields<B> field(String camelName, FieldReader<B> reader) {
      byName.put(camelName, reader);
      byName.put(snakeCase(camelName), reader);
      return this;
    }

    /** A repeated field: a JSON array, each element read by {@code element}. */
    Fields<B> repeated(String camelName, FieldReader<B> element) {
      return field(camelName, (d, b) -> d.array(() -> element.read(d, b)));
    }

    /** Reads the named field into the builder; false when this message has no such field. */
    boolean read(Decoder d, B builder, String name) throws OtlpJsonException {
      FieldReader<B> reader = byName.get(name);
      if (reader == null) {
        return false;
      }
      reader.read(d, builder);
      return true;
    }

    private static String snakeCase(String camel) {
      StringBuilder out = new StringBuilder(camel.length() + 4);
      for (int i = 0; i < camel.length(); i++) {
        char c = camel.charAt(i);
        if (Character.isUpperCase(c)) {
          out.append('_').append(Character.toLowerCase(c));
        } else {
          out.append(c);
        }
      }
      return out.toString();
    }
  }

  // The messages of an OTLP trace export, field by field (opentelemetry/proto/trace/v1 and
  // common/v1). A name not listed is an unknown field and skipped.

  private static final Fields<ExportTraceServiceRequest.Builder> REQUEST =
      new Fields<ExportTraceServiceRequest.Builder>()
          .repeated("resourceSpans", (d, b) -> b.addResourceSpans(d.resourceSpans()));

  private static final Fields<ResourceSpans.Builder> RESOURCE_SPANS =
      new Fields<ResourceSpans.Builder>()
          .field("resource", (d, b) -> b.setResource(d.resource()))
          .repeated("scopeSpans", (d, b) -> b.addScopeSpans(d.scopeSpans()))
          .field("schemaUrl", (d, b) -> b.setSchemaUrl(d.string()));

  private static final Fields<Resource.Builder> RESOURCE =
      new Fields<Resource.Builder>()
          .repeated("attributes", (d, b) -> b.addAttributes(d.keyValue()))
          .field("droppedAttributesCount", (d, b) -> b.setDroppedAttributesCount(d.uint32()));

  private static final Fields<ScopeSpans.Builder> SCOPE_SPANS =
      new Fields<ScopeSpans.Builder>()
          .field("scope", (d, b) -> b.setScope(d.scope()))
          .repeated("spans", (d, b) -> b.addSpans(d.span()))
          .field("schemaUrl", (d, b) -> b.setSchemaUrl(d.string()));

  private static final Fields<InstrumentationScope.Builder> SCOPE =
      new Fields<InstrumentationScope.Builder>()
          .field("name", (d, b) -> b.setName(d.string()))
          .field("version", (d, b) -> b.setVersion(d.string()))
          .repeated("attributes", (d, b) -> b.addAttributes(d.keyValue()))
          .field("droppedAttributesCount", (d, b) -> b.setDroppedAttributesCount(d.uint32()));

  private static final Fields<Span.Builder> SPAN =
      new Fields<Span.Builder>()
          .field("traceId", (d, b) -> b.setTraceId(d.hexId()))
          .field("spanId", (d, b) -> b.setSpanId(d.hexId()))
          .field("traceState", (d, b) -> b.setTraceState(d.string()))
          .field("parentSpanId", (d, b) -> b.setParentSpanId(d.hexId()))
          .field("flags", (d, b) -> b.setFlags(d.uint32()))
          .field("name", (d, b) -> b.setName(d.string()))
          .field("kind", (d, b) -> b.setKindValue(d.enumValue(OtlpJson::spanKindNumber)))
          .field("startTimeUnixNano", (d, b) -> b.setStartTimeUnixNano(d.uint64()))
          .field("endTimeUnixNano", (d, b) -> b.setEndTimeUnixNano(d.uint64()))
          .repeated("attributes", (d, b) -> b.addAttributes(d.keyValue()))
          .field("droppedAttributesCount", (d, b) -> b.setDroppedAttributesCount(d.uint32()))
          .repeated("events", (d, b) -> b.addEvents(d.event()))
          .field("droppedEventsCount", (d, b) -> b.setDroppedEventsCount(d.uint32()))
          .repeated("links", (d, b) -> b.addLinks(d.link()))
          .field("droppedLinksCount", (d, b) -> b.setDroppedLinksCount(d.uint32()))
          .field("status", (d, b) -> b.setStatus(d.status()));

  private static final Fields<Span.Event.Builder> EVENT =
      new Fields<Span.Event.Builder>()
          .field("timeUnixNano", (d, b) -> b.setTimeUnixNano(d.uint64()))
          .field("name", (d, b) -> b.setName(d.string()))
          .repeated("attributes", (d, b) -> b.addAttributes(d.keyValue()))
          .field("droppedAttributesCount", (d, b) -> b.setDroppedAttributesCount(d.uint32()));

  private static final Fields<Span.Link.Builder> LINK =
      new Fields<Span.Link.Builder>()
          .field("traceId", (d, b) -> b.setTraceId(d.hexId()))
          .field("spanId", (d, b) -> b.setSpanId(d.hexId()))
          .field("traceState", (d, b) -> b.setTraceState(d.string()))
          .repeated("attributes", (d, b) -> b.addAttributes(d.keyValue()))
          .field("droppedAttributesCount", (d, b) -> b.setDroppedAttributesCount(d.uint32()))
          .field("flags", (d, b) -> b.setFlags(d.uint32()));

  private static final Fields<Status.Builder> STATUS =
      new Fields<Status.Builder>()
          .field("message", (d, b) -> b.setMessage(d.string()))
          .field("code", (d, b) -> b.setCodeValue(d.enumValue(OtlpJson::statusCodeNumber)));

  private static final Fields<KeyValue.Builder> KEY_VALUE =
      new Fields<KeyValue.Builder>()
          .field("key", (d, b) -> b.setKey(d.string()))
          .field("value", (d, b) -> b.setValue(d.anyValue()))
          .field("keyStrindex", (d, b) -> b.setKeyStrindex(d.int32()));

  private static final Fields<AnyValue.Builder> ANY_VALUE =
      new Fields<AnyValue.Builder>()
          .field("stringValue", (d, b) -> b.setStringValue(d.string()))
          .field("boolValue", (d, b) -> b.setBoolValue(d.bool()))
          .field("intValue", (d, b) -> b.setIntValue(d.int64()))
          .field("doubleValue", (d, b) -> b.setDoubleValue(d.doubleValue()))
          .field("arrayValue", (d, b) -> b.setArrayValue(d.arrayValue()))
          .field("kvlistValue", (d, b) -> b.setKvlistValue(d.kvlistValue()))
          .field("bytesValue", (d, b) -> b.setBytesValue(d.base64()))
          .field("stringValueStrindex", (d, b) -> b.setStringValueStrindex(d.int32()));

  private static final Fields<ArrayValue.Builder> ARRAY_VALUE =
      new Fields<ArrayValue.Builder>().repeated("values", (d, b) -> b.addValues(d.anyValue()));

  private static final Fields<KeyValueList.Builder> KEY_VALUE_LIST =
      new Fields<KeyValueList.Builder>().repeated("values", (d, b) -> b.addValues(d.keyValue()));

  /** One decoding pass over one body; not thread-safe, not reused. */
  private static final class Decoder {

    private final JsonParser p;

    Decoder(JsonParser p) {
      this.p = p;
    }

    ExportTraceServiceRequest request() throws OtlpJsonException {
      ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
      if (p.nextToken() == null) {
        return b.build();
      }
      message(b, REQUEST);
      if (p.nextToken() != null) {
        throw new OtlpJsonException("unexpected content after the request object");
      }
      return b.build();
    }

    private ResourceSpans resourceSpans() throws OtlpJsonException {
      return message(ResourceSpans.newBuilder(), RESOURCE_SPANS).build();
    }

    private Resource resource() throws OtlpJsonException {
      return message(Resource.newBuilder(), RESOURCE).build();
    }

    private ScopeSpans scopeSpans() throws OtlpJsonException {
      return message(ScopeSpans.newBuilder(), SCOPE_SPANS).build();
    }

    private InstrumentationScope scope() throws OtlpJsonException {
      return message(InstrumentationScope.newBuilder(), SCOPE).build();
    }

    private Span span() throws OtlpJsonException {
      return message(Span.newBuilder(), SPAN).build();
    }

    private Span.Event event() throws OtlpJsonException {
      return message(Span.Event.newBuilder(), EVENT).build();
    }

    private Span.Link link() throws OtlpJsonException {
      return message(Span.Link.newBuilder(), LINK).build();
    }

    private Status status() throws OtlpJsonException {
      return message(Status.newBuilder(), STATUS).build();
    }

    private KeyValue keyValue() throws OtlpJsonException {
      return message(KeyValue.newBuilder(), KEY_VALUE).build();
    }

    private AnyValue anyValue() throws OtlpJsonException {
      return message(AnyValue.newBuilder(), ANY_VALUE).build();
    }

    private ArrayValue arrayValue() throws OtlpJsonException {
      return message(ArrayValue.newBuilder(), ARRAY_VALUE).build();
    }

    private KeyValueList kvlistValue() throws OtlpJsonException {
      return message(KeyValueList.newBuilder(), KEY_VALUE_LIST).build();
    }

    /** Reads the object the parser is on into {@code builder}, by the message's field table. */
    private <B> B message(B builder, Fields<B> fields) throws OtlpJsonException {
      object(name -> fields.read(this, builder, name));
      return builder;
    }

    // ---- structure

    /** Reads the object the parser is on, field by field; null values count as absent. */
    private void object(NameReader fields) throws OtlpJsonException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new OtlpJsonException("expected an object, got " + describeCurrent());
      }
      for (String name = p.nextName(); name != null; name = p.nextName()) {
        if (p.nextToken() == JsonToken.VALUE_NULL) {
          continue;
        }
        boolean known;
        try {
          known = fields.read(name);
        } catch (OtlpJsonException e) {
          throw e.at(name);
        }
        if (!known) {
          p.skipChildren();
        }
      }
    }

    /** Reads the array the parser is on; null elements are skipped. */
    private void array(ElementReader element) throws OtlpJsonException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw new OtlpJsonException("expected an array, got " + describeCurrent());
      }
      int index = 0;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
        if (t == JsonToken.VALUE_NULL) {
          continue;
        }
        try {
          element.read();
        } catch (OtlpJsonException e) {
          throw e.at("[" + index + "]");
        }
      }
    }

    // ---- scalars

    private String string() throws OtlpJsonException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw new OtlpJsonException("expected a string, got " + describeCurrent());
      }
      return p.getString();
    }

    /** A trace or span id: hex in any case, "" for absent. */
    private ByteString hexId() throws OtlpJsonException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw new OtlpJsonException("expected a hex string, got " + describeCurrent());
      }
      char[] chars = p.getStringCharacters();
      int offset = p.getStringOffset();
      int length = p.getStringLength();
      if (length == 0) {
        return ByteString.EMPTY;
      }
      if ((length & 1) != 0) {
        throw new OtlpJsonException(
            "expected a hex string (OTLP/JSON ids are hex, not base64), got "
                + shown(p.getString()));
      }
      byte[] bytes = new byte[length / 2];
      for (int i = 0; i < bytes.length; i++) {
        int hi = Character.digit(chars[offset + 2 * i], 16);
        int lo = Character.digit(chars[offset + 2 * i + 1], 16);
        if (hi < 0 || lo < 0) {
          throw new OtlpJsonException(
              "expected a hex string (OTLP/JSON ids are hex, not base64), got "
                  + shown(p.getString()));
        }
        bytes[i] = (byte) (hi << 4 | lo);
      }
      return UnsafeByteOperations.unsafeWrap(bytes);
    }

    private ByteString base64() throws OtlpJsonException {
      String s = string();
      try {
        boolean urlSafe = s.indexOf('-') >= 0 || s.indexOf('_') >= 0;
        return UnsafeByteOperations.unsafeWrap(
            (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s));
      } catch (IllegalArgumentException e) {
        throw new OtlpJsonException("expected base64, got " + shown(s));
      }
    }

    private boolean bool() throws OtlpJsonException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_TRUE) {
        return true;
      }
      if (t == JsonToken.VALUE_FALSE) {
        return false;
      }
      if (t == JsonToken.VALUE_STRING) {
        String s = p.getString();
        if (s.equals("true")) {
          return true;
        }
        if (s.equals("false")) {
          return false;
        }
      }
      throw new OtlpJsonException("expected true or false, got " + describeCurrent());
    }

    private double doubleValue() throws OtlpJsonException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
        return p.getDoubleValue();
      }
      if (t == JsonToken.VALUE_STRING) {
        String s = p.getString().trim();
        switch (s) {
          case "NaN":
            return Double.NaN;
          case "Infinity":
            return Double.POSITIVE_INFINITY;
          case "-Infinity":
            return Double.NEGATIVE_INFINITY;
          default:
            try {
              if (!s.isEmpty() && Character.isLetter(s.charAt(s.length() - 1))) {
                // "1d", "2f": parseDouble would take these.
                throw new NumberFormatException(s);
              }
              return Double.parseDouble(s);
            } catch (NumberFormatException e) {
              throw new OtlpJsonException("expected a number, got " + shown(s));
            }
        }
      }
      throw new OtlpJsonException("expected a number, got " + describeCurrent());
    }

    /** fixed64/uint64: a JSON number or a decimal string, 0 to 2^64-1, as Java's signed long. */
    private long uint64() throws OtlpJsonException {
      long fast = smallInteger();
      if (fast >= 0) {
        return fast;
      }
      BigInteger v = integer("an unsigned 64-bit integer");
      if (v.signum() < 0 || v.compareTo(UINT64_MAX) > 0) {
        throw new OtlpJsonException("expected an unsigned 64-bit integer, got " + v);
      }
      return v.longValue();
    }

    private long int64() throws OtlpJsonException {
      long fast = smallInteger();
      if (fast >= 0) {
        return fast;
      }
      BigInteger v = integer("a 64-bit integer");
      if (v.bitLength() > 63) {
        throw new OtlpJsonException("expected a 64-bit integer, got " + v);
      }
      return v.longValue();
    }

    /** uint32/fixed32 as Java's signed int. */
    private int uint32() throws OtlpJsonException {
      BigInteger v = integer("an unsigned 32-bit integer");
      if (v.signum() < 0 || v.bitLength() > 32) {
        throw new OtlpJsonException("expected an unsigned 32-bit integer, got " + v);
      }
      return (int) v.longValue();
    }

    private int int32() throws OtlpJsonException {
      BigInteger v = integer("a 32-bit integer");
      if (v.bitLength() > 31) {
        throw new OtlpJsonException("expected a 32-bit integer, got " + v);
      }
      return v.intValue();
    }

    /**
     * The common case without allocation: a non-negative JSON integer, or a string of at most 18
     * digits. -1 for anything else (the caller then takes the general path).
     */
    private long smallInteger() {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NUMBER_INT) {
        if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
          long v = p.getLongValue();
          return v >= 0 ? v : -1;
        }
        return -1;
      }
      if (t != JsonToken.VALUE_STRING) {
        return -1;
      }
      char[] chars = p.getStringCharacters();
      int offset = p.getStringOffset();
      int length = p.getStringLength();
      if (length == 0 || length > 18) {
        return -1;
      }
      long v = 0;
      for (int i = offset, end = offset + length; i < end; i++) {
        char c = chars[i];
        if (c < '0' || c > '9') {
          return -1;
        }
        v = v * 10 + (c - '0');
      }
      return v;
    }

    /** An integral value from a JSON number or a decimal string ("1e3" and "5.0" included). */
    private BigInteger integer(String expected) throws OtlpJsonException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NUMBER_INT) {
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? p.getBigIntegerValue()
            : BigInteger.valueOf(p.getLongValue());
      }
      String text;
      if (t == JsonToken.VALUE_NUMBER_FLOAT) {
        text = p.getText();
      } else if (t == JsonToken.VALUE_STRING) {
        text = p.getString().trim();
        if (isPlainInteger(text)) {
          return new BigInteger(text);
        }
      } else {
        throw new OtlpJsonException("expected " + expected + ", got " + describeCurrent());
      }
      try {
        // Bounded: BigDecimal would expand "1e999999999" to a billion digits.
        BigDecimal d = new BigDecimal(text);
        if (d.scale() < -20 || d.precision() - d.scale() > 21) {
          throw new OtlpJsonException("expected " + expected + ", got " + shown(text));
        }
        return d.toBigIntegerExact();
      } catch (NumberFormatException | ArithmeticException e) {
        throw new OtlpJsonException("expected " + expected + ", got " + shown(text));
      }
    }

    private int enumValue(java.util.function.ToIntFunction<String> byName)
        throws OtlpJsonException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
        return int32();
      }
      if (t == JsonToken.VALUE_STRING) {
        String s = p.getString().trim();
        if (isPlainInteger(s)) {
          return int32();
        }
        return byName.applyAsInt(s);
      }
      throw new OtlpJsonException("expected an enum number, got " + describeCurrent());
    }

    private String describeCurrent() {
      JsonToken t = p.currentToken();
      if (t == null) {
        return "end of input";
      }
      return switch (t) {
        case START_OBJECT -> "an object";
        case START_ARRAY -> "an array";
        case VALUE_STRING -> "the string " + shown(p.getString());
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + p.getText();
        case VALUE_TRUE -> "true";
        case VALUE_FALSE -> "false";
        case VALUE_NULL -> "null";
        default -> t.toString();
      };
    }
  }

  private static boolean isPlainInteger(String s) {
    int n = s.length();
    if (n == 0 || n > 20) {
      return false;
    }
    int i = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
    if (i == n) {
      return false;
    }
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static String shown(String s) {
    String cut = s.length() > MAX_SHOWN_CHARS ? s.substring(0, MAX_SHOWN_CHARS) + "..." : s;
    return '"' + cut + '"';
  }

  private static final List<Span.SpanKind> KINDS = List.of(Span.SpanKind.values());
  private static final List<Status.StatusCode> CODES = List.of(Status.StatusCode.values());

  private static int spanKindNumber(String name) {
    for (Span.SpanKind kind : KINDS) {
      if (kind != Span.SpanKind.UNRECOGNIZED && kind.name().equals(name)) {
        return kind.getNumber();
      }
    }
    return 0;
  }

  private static int statusCodeNumber(String name) {
    for (Status.StatusCode code : CODES) {
      if (code != Status.StatusCode.UNRECOGNIZED && code.name().equals(name)) {
        return code.getNumber();
      }
    }
    return 0;
  }
}
