package dev.tierscope.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.tierscope.core.span.InvalidSpanException;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.wire.v1.SpanEvent;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads the bytes of a Kafka record value back into a core {@link Span}; the only way spans are
 * read from Kafka in Tierscope (the aggregator's consumer loop, tests).
 *
 * <p>The span goes through {@link Span#builder()}, so a message another producer wrote is held to
 * the same rules as the ingest's ({@link dev.tierscope.core.span.SpanDefect}). Role, kind and
 * stream outcome are taken as written (the writer decided them); a wire value unknown to this
 * version reads as unspecified. A first token of 0 and an unset queue time read as {@link
 * Span#ABSENT}; fields unknown to this version are skipped.
 *
 * <p>Why hand-written field parsing instead of {@code SpanEvent.parseFrom}: it runs once per span
 * on the aggregator's hot path, and reading straight into the builder skips the intermediate
 * message and reads the ids as longs without copying them. It follows protobuf's rules for this
 * schema exactly (the last occurrence of a field wins, a field with an unexpected wire type is
 * unknown and skipped, strings must be UTF-8); a test holds it to the generated parser on random
 * and corrupted messages.
 *
 * <pre>{@code
 * try {
 *   Span span = SpanBytesDecoder.SPAN_EVENT_V1.decode(record.value());
 * } catch (UndecodableSpanException e) {  // not a SpanEvent
 * } catch (InvalidSpanException e) {      // a SpanEvent breaking a span rule: e.defect()
 * }
 * }</pre>
 */
public enum SpanBytesDecoder {
  /** {@code tierscope.v1.SpanEvent}, the value of topic {@code tierscope.spans.v1}. */
  SPAN_EVENT_V1 {
    @Override
    public Span decode(byte[] bytes) {
      Span.Builder b = Span.builder();
      try {
        readSpanEvent(CodedInputStream.newInstance(bytes), bytes, b);
      } catch (IOException e) {
        throw new UndecodableSpanException("value is not a SpanEvent: " + e.getMessage(), e);
      }
      return b.build();
    }
  };

  /**
   * The span of one record value.
   *
   * @throws UndecodableSpanException when the bytes are not a message of this format
   * @throws InvalidSpanException when the message breaks a span rule
   */
  public abstract Span decode(byte[] bytes);

  /** Tenant, class, service and the other few-valued strings, decoded once per distinct value. */
  private static final Utf8Strings STRINGS = new Utf8Strings();

  private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final int VARINT = WireFormat.WIRETYPE_VARINT;
  private static final int FIXED64 = WireFormat.WIRETYPE_FIXED64;

  private static final int TRACE_ID = SpanEvent.TRACE_ID_FIELD_NUMBER << 3 | LEN;
  private static final int SPAN_ID = SpanEvent.SPAN_ID_FIELD_NUMBER << 3 | LEN;
  private static final int PARENT_SPAN_ID = SpanEvent.PARENT_SPAN_ID_FIELD_NUMBER << 3 | LEN;
  private static final int SERVICE = SpanEvent.SERVICE_FIELD_NUMBER << 3 | LEN;
  private static final int TENANT = SpanEvent.TENANT_FIELD_NUMBER << 3 | LEN;
  private static final int ROLE = SpanEvent.ROLE_FIELD_NUMBER << 3 | VARINT;
  private static final int KIND = SpanEvent.KIND_FIELD_NUMBER << 3 | VARINT;
  private static final int TRAFFIC_CLASS = SpanEvent.TRAFFIC_CLASS_FIELD_NUMBER << 3 | LEN;
  private static final int WORKFLOW = SpanEvent.WORKFLOW_FIELD_NUMBER << 3 | LEN;
  private static final int START = SpanEvent.START_EPOCH_NANOS_FIELD_NUMBER << 3 | FIXED64;
  private static final int END = SpanEvent.END_EPOCH_NANOS_FIELD_NUMBER << 3 | FIXED64;
  private static final int FIRST_TOKEN =
      SpanEvent.FIRST_TOKEN_EPOCH_NANOS_FIELD_NUMBER << 3 | FIXED64;
  private static final int STATUS_ERROR = SpanEvent.STATUS_ERROR_FIELD_NUMBER << 3 | VARINT;
  private static final int STREAMED = SpanEvent.STREAMED_FIELD_NUMBER << 3 | VARINT;
  private static final int STREAM_OUTCOME = SpanEvent.STREAM_OUTCOME_FIELD_NUMBER << 3 | VARINT;
  private static final int RETRIEVAL_HIT = SpanEvent.RETRIEVAL_HIT_FIELD_NUMBER << 3 | VARINT;
  private static final int RETRIEVAL_FALLBACK =
      SpanEvent.RETRIEVAL_FALLBACK_FIELD_NUMBER << 3 | VARINT;
  private static final int TOOL_NAME = SpanEvent.TOOL_NAME_FIELD_NUMBER << 3 | LEN;
  private static final int MODEL_QUEUE_MICROS =
      SpanEvent.MODEL_QUEUE_MICROS_FIELD_NUMBER << 3 | VARINT;
  private static final int INPUT_TOKENS = SpanEvent.INPUT_TOKENS_FIELD_NUMBER << 3 | VARINT;
  private static final int OUTPUT_TOKENS = SpanEvent.OUTPUT_TOKENS_FIELD_NUMBER << 3 | VARINT;
  private static final int MODEL = SpanEvent.MODEL_FIELD_NUMBER << 3 | LEN;
  private static final int CLIENT_PATH = SpanEvent.CLIENT_PATH_FIELD_NUMBER << 3 | LEN;
  private static final int PROTOCOL_VERSION = SpanEvent.PROTOCOL_VERSION_FIELD_NUMBER << 3 | LEN;
  private static final int PROTOCOL_FALLBACK =
      SpanEvent.PROTOCOL_FALLBACK_FIELD_NUMBER << 3 | VARINT;
  private static final int RETRANSMITS = SpanEvent.RETRANSMITS_FIELD_NUMBER << 3 | VARINT;
  private static final int CONNECTION_TYPE = SpanEvent.CONNECTION_TYPE_FIELD_NUMBER << 3 | LEN;
  private static final int CLASS_UNKNOWN = SpanEvent.CLASS_UNKNOWN_FIELD_NUMBER << 3 | VARINT;
  private static final int OPERATION = SpanEvent.OPERATION_FIELD_NUMBER << 3 | LEN;
  private static final int ADMISSION = SpanEvent.ADMISSION_FIELD_NUMBER << 3 | VARINT;
  private static final int DEGRADATION_LEVEL =
      SpanEvent.DEGRADATION_LEVEL_FIELD_NUMBER << 3 | VARINT;
  private static final int RULE_ATTRIBUTES = SpanEvent.RULE_ATTRIBUTES_FIELD_NUMBER << 3 | LEN;
  private static final int TENANT_AUTHENTICATED =
      SpanEvent.TENANT_AUTHENTICATED_FIELD_NUMBER << 3 | VARINT;
  private static final int REGION = SpanEvent.REGION_FIELD_NUMBER << 3 | LEN;
  private static final int STREAM_MAX_GAP_MICROS =
      SpanEvent.STREAM_MAX_GAP_MICROS_FIELD_NUMBER << 3 | VARINT;
  private static final int STREAM_STALLS = SpanEvent.STREAM_STALLS_FIELD_NUMBER << 3 | VARINT;
  private static final int INTERRUPTION_CAUSE =
      SpanEvent.INTERRUPTION_CAUSE_FIELD_NUMBER << 3 | VARINT;
  // A map entry is a message of key (1) and value (2), both strings.
  private static final int ENTRY_KEY = 1 << 3 | LEN;
  private static final int ENTRY_VALUE = 2 << 3 | LEN;

  /** Reads the fields into the builder; the translation of absent values happens here. */
  private static void readSpanEvent(CodedInputStream in, byte[] buffer, Span.Builder b)
      throws IOException {
    // proto3 defaults: what an unset field means.
    b.role(WireEnums.role(0)).kind(WireEnums.kind(0)).streamOutcome(WireEnums.outcome(0));
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return;
      }
      switch (tag) {
        case TRACE_ID -> {
          int length = in.readRawVarint32();
          if (length == 16) {
            b.traceId(new TraceId(readBigEndianLong(in), readBigEndianLong(in)));
          } else {
            b.traceId(ByteBuffer.wrap(in.readRawBytes(length)));
          }
        }
        case SPAN_ID -> {
          int length = in.readRawVarint32();
          if (length == 8) {
            b.spanId(readBigEndianLong(in));
          } else {
            b.spanId(ByteBuffer.wrap(in.readRawBytes(length)));
          }
        }
        case PARENT_SPAN_ID -> {
          int length = in.readRawVarint32();
          if (length == 8) {
            b.parentSpanId(readBigEndianLong(in));
          } else {
            b.parentSpanId(ByteBuffer.wrap(in.readRawBytes(length)));
          }
        }
        case SERVICE -> b.service(readString(in, buffer));
        case TENANT -> b.tenant(readString(in, buffer));
        case ROLE -> b.role(WireEnums.role(in.readEnum()));
        case KIND -> b.kind(WireEnums.kind(in.readEnum()));
        case TRAFFIC_CLASS -> b.trafficClass(readString(in, buffer));
        case WORKFLOW -> b.workflow(readString(in, buffer));
        case START -> b.startEpochNanos(in.readFixed64());
        case END -> b.endEpochNanos(in.readFixed64());
        case FIRST_TOKEN -> {
          long firstToken = in.readFixed64();
          b.firstTokenEpochNanos(firstToken == 0 ? Span.ABSENT : firstToken);
        }
        case STATUS_ERROR -> b.error(in.readBool());
        case STREAMED -> b.streamed(in.readBool());
        case STREAM_OUTCOME -> b.streamOutcome(WireEnums.outcome(in.readEnum()));
        case RETRIEVAL_HIT -> b.retrievalHit(in.readBool());
        case RETRIEVAL_FALLBACK -> b.retrievalFallback(in.readBool());
        case TOOL_NAME -> b.toolName(readString(in, buffer));
        case MODEL_QUEUE_MICROS -> b.modelQueueMicros(in.readInt64());
        case INPUT_TOKENS -> b.inputTokens(in.readInt64());
        case OUTPUT_TOKENS -> b.outputTokens(in.readInt64());
        case MODEL -> b.model(readString(in, buffer));
        case CLIENT_PATH -> b.clientPath(readString(in, buffer));
        case PROTOCOL_VERSION -> b.protocolVersion(readString(in, buffer));
        case PROTOCOL_FALLBACK -> b.protocolFallback(in.readBool());
        case RETRANSMITS -> b.retransmits(in.readInt32());
        case CONNECTION_TYPE -> b.connectionType(readString(in, buffer));
        case CLASS_UNKNOWN -> b.classUnknown(in.readBool());
        case OPERATION -> b.operation(readString(in, buffer));
        case ADMISSION -> b.admission(WireEnums.admission(in.readEnum()));
        case DEGRADATION_LEVEL -> b.degradationLevel(in.readInt32());
        case RULE_ATTRIBUTES -> readRuleAttribute(in, b);
        case TENANT_AUTHENTICATED -> b.tenantAuthenticated(in.readBool());
        case REGION -> b.region(readString(in, buffer));
        case STREAM_MAX_GAP_MICROS -> b.streamMaxGapMicros(in.readInt64());
        case STREAM_STALLS -> b.streamStalls(in.readInt32());
        case INTERRUPTION_CAUSE -> b.interruptionCause(WireEnums.cause(in.readEnum()));
        default -> {
          // As the generated parser: an unknown field (or a known one with another wire type) is
          // skipped; an end-group tag ends the message.
          if (!in.skipField(tag)) {
            return;
          }
        }
      }
    }
  }

  /**
   * One map entry of {@code rule_attributes}, as the generated parser reads it: a missing key or
   * value is "", the last occurrence of either wins, other fields are skipped.
   */
  private static void readRuleAttribute(CodedInputStream in, Span.Builder b) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String key = "";
    String value = "";
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      if (tag == ENTRY_KEY) {
        key = in.readStringRequireUtf8();
      } else if (tag == ENTRY_VALUE) {
        value = in.readStringRequireUtf8();
      } else if (!in.skipField(tag)) {
        break;
      }
    }
    in.checkLastTagWas(0);
    in.popLimit(limit);
    b.ruleAttribute(key, value);
  }

  /**
   * A string field through the {@link Utf8Strings} cache: the bytes stay in the record value, the
   * same checks as {@code readStringRequireUtf8} apply (length, truncation, UTF-8).
   */
  private static String readString(CodedInputStream in, byte[] buffer) throws IOException {
    int length = in.readRawVarint32();
    // The stream reads the whole record value from its first byte: its count is the position.
    int offset = in.getTotalBytesRead();
    in.skipRawBytes(length);
    return STRINGS.get(buffer, offset, length);
  }

  /** The next 8 bytes as a big-endian long, without copying them. */
  private static long readBigEndianLong(CodedInputStream in) throws IOException {
    return Long.reverseBytes(in.readRawLittleEndian64());
  }
}
