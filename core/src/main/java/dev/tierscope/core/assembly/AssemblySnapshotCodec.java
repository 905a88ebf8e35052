package dev.tierscope.core.assembly;

import dev.tierscope.core.span.Admission;
import dev.tierscope.core.span.InterruptionCause;
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
 * Version 3 added the class rule decision of each request; version 4 added each request's bytes
 * (for the per-trace cap) and the recently completed traces ({@link RecentTraces}); version 5 added
 * the admission and degradation a gateway reported; version 6 added the breakdown dimensions of
 * each key span (connection type, service, model, region); version 7 added the service of each
 * request's slowest retrieval; version 8 added each key span's stream continuity (largest gap,
 * stalls, interruption cause); version 9 adds, after everything version 8 wrote, each request's
 * early completion state (whether its parents are known, the parent ids it still awaits, the stream
 * time its latest span arrived at). Versions 2 to 8 still read (without what came later: those
 * dimensions then unknown, no continuity, parents unknown so the request waits for the grace), so a
 * checkpoint written before an upgrade restores.
 *
 * <p>Hostile bytes are refused with an {@link IllegalArgumentException}, never anything else: every
 * count is checked against the bytes that remain before anything is allocated for it, so a corrupt
 * snapshot cannot exhaust the heap. A request that cannot be encoded (a value no span built through
 * {@code Span.Builder} can hold) is left out and reported, so that one request never stops a
 * partition's checkpoint.
 */
final class AssemblySnapshotCodec {

  static final byte VERSION = 9;

  /** The version before early completion: still read. */
  static final byte VERSION_8 = 8;

  /** The version before stream continuity: still read. */
  static final byte VERSION_7 = 7;

  /** The version before the retrieval's backend: still read. */
  static final byte VERSION_6 = 6;

  /** The version before the key spans' breakdown dimensions: still read. */
  static final byte VERSION_5 = 5;

  /** The version before admission control: still read. */
  static final byte VERSION_4 = 4;

  /** The version before the per-trace bytes and the recently completed traces: still read. */
  static final byte VERSION_3 = 3;

  /** The version before class rules: still read. */
  static final byte VERSION_2 = 2;

  record Decoded(
      long streamTimeMicros,
      List<PendingRequest> pending,
      List<PendingRequest> evicted,
      RecentTraces recent) {}

  /**
   * An encoded snapshot and the requests left out of it.
   *
   * @param bytes the snapshot
   * @param unstorable requests that could not be encoded, each with why
   */
  record Encoded(byte[] bytes, List<Unstorable> unstorable) {}

  /** A request left out of a snapshot, and the reason. */
  record Unstorable(PendingRequest request, String reason) {}

  private AssemblySnapshotCodec() {}

  static Encoded encode(
      long streamTimeMicros,
      Collection<PendingRequest> pending,
      Collection<PendingRequest> evicted,
      RecentTraces recent) {
    try {
      return new Encoded(encodeAll(streamTimeMicros, pending, evicted, recent), List.of());
    } catch (IOException | RuntimeException e) {
      return encodeIsolating(streamTimeMicros, pending, evicted, recent);
    }
  }

  private static byte[] encodeAll(
      long streamTimeMicros,
      Collection<PendingRequest> pending,
      Collection<PendingRequest> evicted,
      RecentTraces recent)
      throws IOException {
    GrowableBytes bytes =
        new GrowableBytes(64 + pending.size() * 160 + recent.size() * RecentTraces.ENTRY_BYTES);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeLong(streamTimeMicros);
      writeAll(out, pending);
      writeAll(out, evicted);
      recent.write(out);
    }
    return bytes.toByteArray();
  }

  /** The slow path, after a failure: each request on its own, the failing ones left out. */
  private static Encoded encodeIsolating(
      long streamTimeMicros,
      Collection<PendingRequest> pending,
      Collection<PendingRequest> evicted,
      RecentTraces recent) {
    List<Unstorable> unstorable = new ArrayList<>();
    List<byte[]> goodPending = encodeEach(pending, unstorable);
    List<byte[]> goodEvicted = encodeEach(evicted, unstorable);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeLong(streamTimeMicros);
      out.writeInt(goodPending.size());
      for (byte[] b : goodPending) {
        out.write(b);
      }
      out.writeInt(goodEvicted.size());
      for (byte[] b : goodEvicted) {
        out.write(b);
      }
      recent.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Encoded(bytes.toByteArray(), unstorable);
  }

  private static List<byte[]> encodeEach(
      Collection<PendingRequest> requests, List<Unstorable> unstorable) {
    List<byte[]> out = new ArrayList<>(requests.size());
    for (PendingRequest p : requests) {
      ByteArrayOutputStream one = new ByteArrayOutputStream(256);
      try (DataOutputStream o = new DataOutputStream(one)) {
        write(o, p);
      } catch (IOException | RuntimeException e) {
        unstorable.add(new Unstorable(p, e.getClass().getSimpleName() + ": " + e.getMessage()));
        continue;
      }
      out.add(one.toByteArray());
    }
    return out;
  }

  static Decoded decode(byte[] snapshot) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
      byte version = in.readByte();
      if (version != VERSION
          && version != VERSION_8
          && version != VERSION_7
          && version != VERSION_6
          && version != VERSION_5
          && version != VERSION_4
          && version != VERSION_3
          && version != VERSION_2) {
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
      RecentTraces recent = new RecentTraces();
      if (version >= VERSION_4) {
        recent.read(in);
      }
      if (in.available() > 0) {
        throw new IOException(in.available() + " bytes after the end");
      }
      return new Decoded(streamTime, pending, evicted, recent);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae
          && iae.getMessage() != null
          && iae.getMessage().startsWith("assembly")) {
        throw iae;
      }
      throw new IllegalArgumentException(
          "assembly snapshot is truncated or corrupt (" + e.getMessage() + ")", e);
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
    int n = count(in, 1);
    List<PendingRequest> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(read(in, version));
    }
    return list;
  }

  /** A count of items of at least {@code minBytes} each, checked against what remains. */
  private static int count(DataInputStream in, int minBytes) throws IOException {
    int n = in.readInt();
    if (n < 0 || (long) n * minBytes > in.available()) {
      throw new IOException("count " + n + " does not fit the " + in.available() + " bytes left");
    }
    return n;
  }

  /**
   * {@link DataOutputStream#writeUTF} with a fast path for the usual case, a short string of
   * characters 1 to 127, whose modified UTF-8 is the characters themselves: the same bytes, without
   * the encoder's scan and buffer.
   */
  static void writeUtf(DataOutputStream out, String s) throws IOException {
    int n = s.length();
    if (n > 255) {
      out.writeUTF(s);
      return;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == 0 || c > 0x7f) {
        out.writeUTF(s);
        return;
      }
    }
    out.writeShort(n);
    out.writeBytes(s);
  }

  private static void write(DataOutputStream out, PendingRequest p) throws IOException {
    out.writeLong(p.traceId.high());
    out.writeLong(p.traceId.low());
    writeUtf(out, p.tenant);
    writeUtf(out, p.trafficClass);
    out.writeBoolean(p.classFromRoot);
    out.writeBoolean(p.classUnknown);
    writeUtf(out, p.ruleClass);
    writeUtf(out, p.ruleName);
    writeUtf(out, p.workflow);
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
    out.writeLong(p.bytes);
    out.writeBoolean(p.tenantAuthenticated);
    p.spanIds.writeTo(out);
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
      writeUtf(out, k.clientPath);
      writeUtf(out, k.protocolVersion);
      out.writeBoolean(k.protocolFallback);
      out.writeInt(k.retransmits);
      writeUtf(out, k.connectionType);
      writeUtf(out, k.service);
      writeUtf(out, k.model);
      writeUtf(out, k.region);
    }
    out.writeByte(p.admission.ordinal());
    out.writeByte(p.degradationLevel);
    writeUtf(out, p.retrievalService);
    out.writeLong(p.slowestRetrievalMicros);
    for (KeySpan k : p.keySpans) {
      out.writeLong(k.maxGapMicros);
      out.writeInt(k.stalls);
      out.writeByte(k.cause.ordinal());
    }
    out.writeBoolean(p.parentsKnown);
    if (p.parentsKnown) {
      long[] missing = p.missingParentIds();
      out.writeInt(missing.length);
      for (long id : missing) {
        out.writeLong(id);
      }
      out.writeLong(p.lastArrivalStreamMicros);
    }
  }

  private static PendingRequest read(DataInputStream in, byte version) throws IOException {
    TraceId traceId = new TraceId(in.readLong(), in.readLong());
    if (traceId.isZero()) {
      throw new IOException("trace id 0");
    }
    PendingRequest p = new PendingRequest(traceId);
    p.tenant = in.readUTF();
    p.trafficClass = in.readUTF();
    p.classFromRoot = in.readBoolean();
    p.classUnknown = in.readBoolean();
    if (version >= VERSION_3) {
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
    if (version >= VERSION_4) {
      p.bytes = in.readLong();
      p.tenantAuthenticated = in.readBoolean();
    }
    int spans = count(in, 8);
    for (int i = 0; i < spans; i++) {
      long id = in.readLong();
      if (id == 0) {
        throw new IOException("span id 0");
      }
      p.spanIds.add(id);
    }
    int keys = count(in, 40);
    SpanRole[] roles = SpanRole.values();
    SpanKind[] kinds = SpanKind.values();
    StreamOutcome[] outcomes = StreamOutcome.values();
    for (int i = 0; i < keys; i++) {
      KeySpan k = new KeySpan();
      k.spanId = in.readLong();
      k.parentSpanId = in.readLong();
      k.role = roles[ordinal(in, roles.length)];
      k.kind = kinds[ordinal(in, kinds.length)];
      k.operationRole = roles[ordinal(in, roles.length)];
      k.startMicros = in.readLong();
      k.endMicros = in.readLong();
      k.firstTokenMicros = in.readLong();
      k.error = in.readBoolean();
      k.streamed = in.readBoolean();
      k.outcome = outcomes[ordinal(in, outcomes.length)];
      k.retrievalHit = in.readBoolean();
      k.retrievalFallback = in.readBoolean();
      k.queueMicros = in.readLong();
      k.clientPath = in.readUTF();
      k.protocolVersion = in.readUTF();
      k.protocolFallback = in.readBoolean();
      k.retransmits = in.readInt();
      if (version >= VERSION_6) {
        k.connectionType = in.readUTF();
        k.service = in.readUTF();
        k.model = in.readUTF();
        k.region = in.readUTF();
      }
      p.keySpans.add(k);
    }
    if (version >= VERSION_5) {
      Admission[] admissions = Admission.values();
      p.admission = admissions[ordinal(in, admissions.length)];
      int level = in.readByte();
      if (level < -1 || level > 3) {
        throw new IOException("degradation level " + level + " out of range");
      }
      p.degradationLevel = level;
    }
    if (version >= VERSION_7) {
      p.retrievalService = in.readUTF();
      p.slowestRetrievalMicros = in.readLong();
    }
    if (version >= VERSION_8) {
      InterruptionCause[] causes = InterruptionCause.values();
      for (KeySpan k : p.keySpans) {
        k.maxGapMicros = in.readLong();
        k.stalls = in.readInt();
        k.cause = causes[ordinal(in, causes.length)];
        if (k.maxGapMicros < -1 || k.stalls < -1) {
          throw new IOException("stream continuity out of range");
        }
      }
    }
    if (version >= VERSION && in.readBoolean()) {
      int missing = count(in, 8);
      long[] ids = new long[missing];
      for (int i = 0; i < missing; i++) {
        ids[i] = in.readLong();
        if (ids[i] == 0) {
          throw new IOException("parent span id 0");
        }
      }
      p.awaitParents(ids);
      p.lastArrivalStreamMicros = in.readLong();
    }
    return p;
  }

  private static int ordinal(DataInputStream in, int values) throws IOException {
    int o = in.readByte();
    if (o < 0 || o >= values) {
      throw new IOException("enum ordinal " + o + " out of range");
    }
    return o;
  }
}
