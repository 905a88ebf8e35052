package dev.tierscope.core.assembly;

import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Binary form of a partition's in-flight assembly state, stored in its checkpoint row.
 *
 * <p>Versioned by its first byte; a reader refuses versions it does not know rather than guess.
 * Version 3 adds the class rule decision of each request; version 2 (without it) still reads, so a
 * checkpoint written before the upgrade restores.
 */
final class AssemblySnapshotCodec {

  static final byte VERSION = 3;

  /** The version before class rules: still read. */
  static final byte VERSION_2 = 2;

  record Decoded(
      long streamTimeMicros, List<PendingRequest> pending, List<PendingRequest> evicted) {}

  private AssemblySnapshotCodec() {}

  static byte[] encode(
      long streamTimeMicros,
      Collection<PendingRequest> pending,
      Collection<PendingRequest> evicted) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + pending.size() * 160);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeLong(streamTimeMicros);
      writeAll(out, pending);
      writeAll(out, evicted);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Decoded decode(byte[] snapshot) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
      byte version = in.readByte();
      if (version != VERSION && version != VERSION_2) {
        throw new IllegalArgumentException(
            "assembly snapshot version "
                + version
                + " is not supported (expected "
                + VERSION
                + ")");
      }
      long streamTime = in.readLong();
      List<PendingRequest> pending = readAll(in, version);
      List<PendingRequest> evicted = readAll(in, version);
      return new Decoded(streamTime, pending, evicted);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith("assembly")) {
        throw iae;
      }
      throw new IllegalArgumentException("assembly snapshot is truncated or corrupt", e);
    }
  }

  private static void writeAll(DataOutputStream out, Collection<PendingRequest> requests)
      throws IOException {
    out.writeInt(requests.size());
    for (PendingRequest p : requests) {
      write(out, p);
    }
  }

  private static List<PendingRequest> readAll(DataInputStream in, byte version) throws IOException {
    int n = in.readInt();
    List<PendingRequest> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(read(in, version));
    }
    return list;
  }

  private static void write(DataOutputStream out, PendingRequest p) throws IOException {
    out.writeLong(p.traceId.high());
    out.writeLong(p.traceId.low());
    out.writeUTF(p.tenant);
    out.writeUTF(p.trafficClass);
    out.writeBoolean(p.classFromRoot);
    out.writeBoolean(p.classUnknown);
    out.writeUTF(p.ruleClass);
    out.writeUTF(p.ruleName);
    out.writeUTF(p.workflow);
    out.writeLong(p.firstStartMicros);
    out.writeLong(p.lastEndMicros);
    out.writeBoolean(p.rootSeen);
    out.writeLong(p.rootEndMicros);
    out.writeBoolean(p.streamed);
    out.writeInt(p.retrievals);
    out.writeInt(p.retrievalMisses);
    out.writeInt(p.retrievalFallbacks);
    out.writeLong(p.retrievalMicros);
    out.writeInt(p.toolCalls);
    out.writeLong(p.toolMinStartMicros);
    out.writeLong(p.toolMaxEndMicros);
    out.writeBoolean(p.toolFailed);
    out.writeLong(p.toolMicros);
    out.writeLong(p.policyMicros);
    out.writeLong(p.internalMicros);
    out.writeLong(p.inputTokens);
    out.writeLong(p.outputTokens);
    out.writeInt(p.spanCount);
    for (int i = 0; i < p.spanCount; i++) {
      out.writeLong(p.spanIds[i]);
    }
    out.writeInt(p.keySpans.size());
    for (KeySpan k : p.keySpans) {
      out.writeLong(k.spanId);
      out.writeLong(k.parentSpanId);
      out.writeByte(k.role.ordinal());
      out.writeByte(k.kind.ordinal());
      out.writeByte(k.operationRole.ordinal());
      out.writeLong(k.startMicros);
      out.writeLong(k.endMicros);
      out.writeLong(k.firstTokenMicros);
      out.writeBoolean(k.error);
      out.writeBoolean(k.streamed);
      out.writeByte(k.outcome.ordinal());
      out.writeBoolean(k.retrievalHit);
      out.writeBoolean(k.retrievalFallback);
      out.writeLong(k.queueMicros);
      out.writeUTF(k.clientPath);
      out.writeUTF(k.protocolVersion);
      out.writeBoolean(k.protocolFallback);
      out.writeInt(k.retransmits);
    }
  }

  private static PendingRequest read(DataInputStream in, byte version) throws IOException {
    PendingRequest p = new PendingRequest(new TraceId(in.readLong(), in.readLong()));
    p.tenant = in.readUTF();
    p.trafficClass = in.readUTF();
    p.classFromRoot = in.readBoolean();
    p.classUnknown = in.readBoolean();
    if (version >= VERSION) {
      p.ruleClass = in.readUTF();
      p.ruleName = in.readUTF();
    }
    p.workflow = in.readUTF();
    p.firstStartMicros = in.readLong();
    p.lastEndMicros = in.readLong();
    p.rootSeen = in.readBoolean();
    p.rootEndMicros = in.readLong();
    p.streamed = in.readBoolean();
    p.retrievals = in.readInt();
    p.retrievalMisses = in.readInt();
    p.retrievalFallbacks = in.readInt();
    p.retrievalMicros = in.readLong();
    p.toolCalls = in.readInt();
    p.toolMinStartMicros = in.readLong();
    p.toolMaxEndMicros = in.readLong();
    p.toolFailed = in.readBoolean();
    p.toolMicros = in.readLong();
    p.policyMicros = in.readLong();
    p.internalMicros = in.readLong();
    p.inputTokens = in.readLong();
    p.outputTokens = in.readLong();
    p.spanCount = in.readInt();
    p.spanIds = new long[Math.max(8, p.spanCount)];
    for (int i = 0; i < p.spanCount; i++) {
      p.spanIds[i] = in.readLong();
    }
    int keys = in.readInt();
    SpanRole[] roles = SpanRole.values();
    SpanKind[] kinds = SpanKind.values();
    StreamOutcome[] outcomes = StreamOutcome.values();
    for (int i = 0; i < keys; i++) {
      KeySpan k = new KeySpan();
      k.spanId = in.readLong();
      k.parentSpanId = in.readLong();
      k.role = roles[in.readByte()];
      k.kind = kinds[in.readByte()];
      k.operationRole = roles[in.readByte()];
      k.startMicros = in.readLong();
      k.endMicros = in.readLong();
      k.firstTokenMicros = in.readLong();
      k.error = in.readBoolean();
      k.streamed = in.readBoolean();
      k.outcome = outcomes[in.readByte()];
      k.retrievalHit = in.readBoolean();
      k.retrievalFallback = in.readBoolean();
      k.queueMicros = in.readLong();
      k.clientPath = in.readUTF();
      k.protocolVersion = in.readUTF();
      k.protocolFallback = in.readBoolean();
      k.retransmits = in.readInt();
      p.keySpans.add(k);
    }
    return p;
  }
}
