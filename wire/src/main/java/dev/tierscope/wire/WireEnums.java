package dev.tierscope.wire;

import dev.tierscope.core.span.Admission;
import dev.tierscope.core.span.InterruptionCause;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.wire.v1.Role;
import java.util.EnumMap;
import java.util.Map;

/**
 * The one mapping between the wire enums of {@code tierscope.v1} (kept for compatibility) and the
 * core ones. Each pair is written once; both directions are derived from it. A wire value this
 * version does not know (a newer producer's) reads as unspecified.
 */
final class WireEnums {

  private WireEnums() {}

  private static final EnumMap<SpanRole, Role> ROLE_TO_WIRE = new EnumMap<>(SpanRole.class);
  private static final SpanRole[] ROLE_FROM_WIRE;

  private static final EnumMap<SpanKind, dev.tierscope.wire.v1.SpanKind> KIND_TO_WIRE =
      new EnumMap<>(SpanKind.class);
  private static final SpanKind[] KIND_FROM_WIRE;

  private static final EnumMap<StreamOutcome, dev.tierscope.wire.v1.StreamOutcome> OUTCOME_TO_WIRE =
      new EnumMap<>(StreamOutcome.class);
  private static final StreamOutcome[] OUTCOME_FROM_WIRE;

  private static final EnumMap<Admission, dev.tierscope.wire.v1.Admission> ADMISSION_TO_WIRE =
      new EnumMap<>(Admission.class);
  private static final Admission[] ADMISSION_FROM_WIRE;

  private static final EnumMap<InterruptionCause, dev.tierscope.wire.v1.InterruptionCause>
      CAUSE_TO_WIRE = new EnumMap<>(InterruptionCause.class);
  private static final InterruptionCause[] CAUSE_FROM_WIRE;

  static {
    ROLE_TO_WIRE.put(SpanRole.UNSPECIFIED, Role.ROLE_UNSPECIFIED);
    ROLE_TO_WIRE.put(SpanRole.CLIENT, Role.ROLE_CLIENT);
    ROLE_TO_WIRE.put(SpanRole.GATEWAY, Role.ROLE_GATEWAY);
    ROLE_TO_WIRE.put(SpanRole.MODEL, Role.ROLE_MODEL);
    ROLE_TO_WIRE.put(SpanRole.RETRIEVAL, Role.ROLE_RETRIEVAL);
    ROLE_TO_WIRE.put(SpanRole.TOOL, Role.ROLE_TOOL);
    ROLE_TO_WIRE.put(SpanRole.POLICY, Role.ROLE_POLICY);
    ROLE_TO_WIRE.put(SpanRole.INTERNAL, Role.ROLE_INTERNAL);
    ROLE_FROM_WIRE = inverse(ROLE_TO_WIRE, new SpanRole[0], SpanRole.UNSPECIFIED);

    KIND_TO_WIRE.put(SpanKind.UNSPECIFIED, dev.tierscope.wire.v1.SpanKind.SPAN_KIND_UNSPECIFIED);
    KIND_TO_WIRE.put(SpanKind.INTERNAL, dev.tierscope.wire.v1.SpanKind.SPAN_KIND_INTERNAL);
    KIND_TO_WIRE.put(SpanKind.SERVER, dev.tierscope.wire.v1.SpanKind.SPAN_KIND_SERVER);
    KIND_TO_WIRE.put(SpanKind.CLIENT, dev.tierscope.wire.v1.SpanKind.SPAN_KIND_CLIENT);
    KIND_TO_WIRE.put(SpanKind.PRODUCER, dev.tierscope.wire.v1.SpanKind.SPAN_KIND_PRODUCER);
    KIND_TO_WIRE.put(SpanKind.CONSUMER, dev.tierscope.wire.v1.SpanKind.SPAN_KIND_CONSUMER);
    KIND_FROM_WIRE = inverse(KIND_TO_WIRE, new SpanKind[0], SpanKind.UNSPECIFIED);

    OUTCOME_TO_WIRE.put(
        StreamOutcome.NONE, dev.tierscope.wire.v1.StreamOutcome.STREAM_OUTCOME_UNSPECIFIED);
    OUTCOME_TO_WIRE.put(
        StreamOutcome.COMPLETED, dev.tierscope.wire.v1.StreamOutcome.STREAM_OUTCOME_COMPLETED);
    OUTCOME_TO_WIRE.put(
        StreamOutcome.INTERRUPTED, dev.tierscope.wire.v1.StreamOutcome.STREAM_OUTCOME_INTERRUPTED);
    OUTCOME_TO_WIRE.put(
        StreamOutcome.CANCELLED, dev.tierscope.wire.v1.StreamOutcome.STREAM_OUTCOME_CANCELLED);
    OUTCOME_FROM_WIRE = inverse(OUTCOME_TO_WIRE, new StreamOutcome[0], StreamOutcome.NONE);

    ADMISSION_TO_WIRE.put(Admission.NONE, dev.tierscope.wire.v1.Admission.ADMISSION_UNSPECIFIED);
    ADMISSION_TO_WIRE.put(Admission.ADMITTED, dev.tierscope.wire.v1.Admission.ADMISSION_ADMITTED);
    ADMISSION_TO_WIRE.put(Admission.DEFERRED, dev.tierscope.wire.v1.Admission.ADMISSION_DEFERRED);
    ADMISSION_TO_WIRE.put(Admission.SHED, dev.tierscope.wire.v1.Admission.ADMISSION_SHED);
    ADMISSION_FROM_WIRE = inverse(ADMISSION_TO_WIRE, new Admission[0], Admission.NONE);

    CAUSE_TO_WIRE.put(
        InterruptionCause.NONE,
        dev.tierscope.wire.v1.InterruptionCause.INTERRUPTION_CAUSE_UNSPECIFIED);
    CAUSE_TO_WIRE.put(
        InterruptionCause.UNKNOWN,
        dev.tierscope.wire.v1.InterruptionCause.INTERRUPTION_CAUSE_UNKNOWN);
    CAUSE_TO_WIRE.put(
        InterruptionCause.IDLE_TIMEOUT,
        dev.tierscope.wire.v1.InterruptionCause.INTERRUPTION_CAUSE_IDLE_TIMEOUT);
    CAUSE_TO_WIRE.put(
        InterruptionCause.UPSTREAM_RESET,
        dev.tierscope.wire.v1.InterruptionCause.INTERRUPTION_CAUSE_UPSTREAM_RESET);
    CAUSE_TO_WIRE.put(
        InterruptionCause.NETWORK,
        dev.tierscope.wire.v1.InterruptionCause.INTERRUPTION_CAUSE_NETWORK);
    CAUSE_TO_WIRE.put(
        InterruptionCause.SERVER_ERROR,
        dev.tierscope.wire.v1.InterruptionCause.INTERRUPTION_CAUSE_SERVER_ERROR);
    CAUSE_FROM_WIRE = inverse(CAUSE_TO_WIRE, new InterruptionCause[0], InterruptionCause.NONE);
  }

  static dev.tierscope.wire.v1.InterruptionCause toWire(InterruptionCause cause) {
    return CAUSE_TO_WIRE.get(cause);
  }

  /** A cause this version does not know reads as unspecified (unknown, on an interrupted span). */
  static InterruptionCause cause(int wireNumber) {
    return lookup(CAUSE_FROM_WIRE, wireNumber, InterruptionCause.NONE);
  }

  static dev.tierscope.wire.v1.Admission toWire(Admission admission) {
    return ADMISSION_TO_WIRE.get(admission);
  }

  static Admission admission(int wireNumber) {
    return lookup(ADMISSION_FROM_WIRE, wireNumber, Admission.NONE);
  }

  static Role toWire(SpanRole role) {
    return ROLE_TO_WIRE.get(role);
  }

  static dev.tierscope.wire.v1.SpanKind toWire(SpanKind kind) {
    return KIND_TO_WIRE.get(kind);
  }

  static dev.tierscope.wire.v1.StreamOutcome toWire(StreamOutcome outcome) {
    return OUTCOME_TO_WIRE.get(outcome);
  }

  /** The core role of a wire {@code Role} number; unspecified for a number v1 does not know. */
  static SpanRole role(int wireNumber) {
    return lookup(ROLE_FROM_WIRE, wireNumber, SpanRole.UNSPECIFIED);
  }

  static SpanKind kind(int wireNumber) {
    return lookup(KIND_FROM_WIRE, wireNumber, SpanKind.UNSPECIFIED);
  }

  static StreamOutcome outcome(int wireNumber) {
    return lookup(OUTCOME_FROM_WIRE, wireNumber, StreamOutcome.NONE);
  }

  private static <T> T lookup(T[] table, int wireNumber, T unknown) {
    return wireNumber >= 0 && wireNumber < table.length ? table[wireNumber] : unknown;
  }

  /** An array indexed by wire number; every wire value must be mapped exactly once. */
  private static <C extends Enum<C>, W extends com.google.protobuf.ProtocolMessageEnum> C[] inverse(
      Map<C, W> toWire, C[] type, C unknown) {
    int max = 0;
    for (W w : toWire.values()) {
      max = Math.max(max, w.getNumber());
    }
    C[] table = java.util.Arrays.copyOf(type, max + 1);
    java.util.Arrays.fill(table, unknown);
    for (Map.Entry<C, W> e : toWire.entrySet()) {
      table[e.getValue().getNumber()] = e.getKey();
    }
    return table;
  }
}
