package dev.tierscope.core.assembly;

import dev.tierscope.core.classes.ClassRule;
import dev.tierscope.core.classes.ClassRules;
import dev.tierscope.core.span.Admission;
import dev.tierscope.core.span.InterruptionCause;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request being assembled: counters for the spans already folded, key spans for the rest. Mutable
 * on purpose, it sits on the hot path; owned by one partition's thread.
 */
final class PendingRequest {
  final TraceId traceId;
  String tenant = "";

  /** The tenant came from an authenticated caller: capped dimensions never fold it. */
  boolean tenantAuthenticated;

  String trafficClass = "";
  boolean classFromRoot;
  boolean classUnknown;

  /** The class the first matching rule gave the root span, empty when none matched. */
  String ruleClass = "";

  /** That rule's name, empty when none matched. */
  String ruleName = "";

  /** What the gateway reported (the strongest report over the spans). */
  Admission admission = Admission.NONE;

  /** The highest degradation level reported, -1 when none. */
  int degradationLevel = -1;

  String workflow = "";

  long firstStartMicros = Long.MAX_VALUE;
  long lastEndMicros = Long.MIN_VALUE;
  boolean rootSeen;
  long rootEndMicros;
  boolean streamed;

  final List<KeySpan> keySpans = new ArrayList<>(4);

  /** Ids of the spans already added: a client retry must not count a span twice. */
  final SpanIdSet spanIds = new SpanIdSet();

  /** Serialized bytes of the spans added (their Kafka record values), for the per-trace cap. */
  long bytes;

  /**
   * Whether {@link #missingParents} is known: the request was opened with early completion on (or
   * restored from a snapshot that carried it). A request restored from an older snapshot does not
   * know the parents its folded spans named and never completes early.
   */
  boolean parentsKnown;

  /**
   * Span ids named as a parent by a span of this request while that parent had not arrived; null
   * until the first such span (a request whose parents arrive first never allocates it).
   */
  SpanIdSet awaitedParents;

  /**
   * Slots of {@link #awaitedParents} to start with: 2 parents awaited at once (a client span and a
   * gateway, whose children arrived first) fit without growing; the default 16 cost 96 bytes more
   * per open request.
   */
  private static final int AWAITED_SLOTS = 4;

  private static final long[] NO_IDS = new long[0];

  /** Of {@link #awaitedParents}, the ids still not arrived: early completion waits while > 0. */
  int missingParents;

  /**
   * Stream time right after this request's latest span was added, epoch microseconds: early
   * completion waits until stream time is the settle time past it.
   */
  long lastArrivalStreamMicros = Long.MIN_VALUE;

  int retrievals;
  int retrievalMisses;
  int retrievalFallbacks;
  long retrievalMicros;

  /** {@code service.name} of the slowest retrieval so far, empty when none reported one. */
  String retrievalService = "";

  /** Duration of that slowest retrieval, -1 before the first. */
  long slowestRetrievalMicros = -1;

  int toolCalls;
  long toolMinStartMicros = Long.MAX_VALUE;
  long toolMaxEndMicros = Long.MIN_VALUE;
  boolean toolFailed;
  long toolMicros;
  long policyMicros;
  long internalMicros;
  long inputTokens;
  long outputTokens;

  PendingRequest(TraceId traceId) {
    this.traceId = traceId;
  }

  PendingRequest(TraceId traceId, boolean parentsKnown) {
    this.traceId = traceId;
    this.parentsKnown = parentsKnown;
  }

  /**
   * True when early completion may complete this request at {@code streamTimeMicros}: its root span
   * arrived, every span a span of it names as a parent arrived, the spans TTFT is split by arrived
   * ({@link #keySpansArrived}), and stream time moved {@code settleMicros} past the arrival of its
   * latest span.
   */
  boolean settled(long streamTimeMicros, long settleMicros) {
    return parentsKnown
        && rootSeen
        && missingParents == 0
        && streamTimeMicros - settleMicros >= lastArrivalStreamMicros
        && keySpansArrived();
  }

  /**
   * A model span arrived and, when the root is a client span, a span directly under it (the
   * gateway, or the model called directly). Why: a root that arrives first names no parent, so "no
   * dangling parent" alone completed a request of which only the client span had arrived, with
   * every other service's batch still on its way (measured: 12% of spans late with exporters
   * batching every 5 s, bench README "Freshness (issue 20 point 5)"); and nothing names a model
   * span as a parent, so its batch arriving last went unnoticed too. A request without a model span
   * (shed or refused at the gateway, a request that is not a model call) waits for the grace, as
   * before. Linear in the key spans, called only when the cheaper conditions hold.
   */
  private boolean keySpansArrived() {
    long clientRoot = 0;
    boolean model = false;
    for (KeySpan k : keySpans) {
      if (k.parentSpanId == 0 && k.role == SpanRole.CLIENT) {
        clientRoot = k.spanId;
      }
      model |=
          k.role == SpanRole.MODEL
              || (k.role == SpanRole.UNSPECIFIED && k.operationRole == SpanRole.MODEL);
    }
    if (!model) {
      return false;
    }
    if (clientRoot == 0) {
      return true;
    }
    for (KeySpan k : keySpans) {
      if (k.parentSpanId == clientRoot && k.spanId != clientRoot) {
        return true;
      }
    }
    return false;
  }

  /** The parent ids still awaited, sorted (a snapshot writes them in a stable order). */
  long[] missingParentIds() {
    if (missingParents == 0 || awaitedParents == null) {
      return NO_IDS;
    }
    long[] awaited = awaitedParents.toArray();
    long[] out = new long[awaited.length];
    int n = 0;
    for (long id : awaited) {
      if (!spanIds.contains(id)) {
        out[n++] = id;
      }
    }
    long[] missing = Arrays.copyOf(out, n);
    Arrays.sort(missing);
    return missing;
  }

  /** Restores the parent ids still awaited (from a snapshot). */
  void awaitParents(long[] ids) {
    parentsKnown = true;
    for (long id : ids) {
      if (id != 0 && !spanIds.contains(id)) {
        if (awaitedParents == null) {
          awaitedParents = new SpanIdSet(AWAITED_SLOTS);
        }
        if (awaitedParents.add(id)) {
          missingParents++;
        }
      }
    }
  }

  /** True when a span with this id was already added. */
  boolean hasSpan(long spanId) {
    return spanIds.contains(spanId);
  }

  /** Spans added. */
  int spanCount() {
    return spanIds.size();
  }

  void add(Span s, ClassRules rules) {
    spanIds.add(s.spanId());
    if (parentsKnown) {
      // A span id is added once (a duplicate is refused before), so an awaited parent arriving is
      // counted down once; a parent is awaited only while it has not arrived.
      if (missingParents > 0 && awaitedParents.contains(s.spanId())) {
        missingParents--;
      }
      long parent = s.parentSpanId();
      if (parent != 0 && !spanIds.contains(parent)) {
        if (awaitedParents == null) {
          awaitedParents = new SpanIdSet(AWAITED_SLOTS);
        }
        if (awaitedParents.add(parent)) {
          missingParents++;
        }
      }
    }
    // A named tenant wins over "default": in a service whose resource names no tenant, only the
    // spans below a tagged request carry one (copied from Baggage), and they may arrive later.
    if (tenant.isEmpty()
        || (Span.DEFAULT_TENANT.equals(tenant)
            && !s.tenant().isEmpty()
            && !Span.DEFAULT_TENANT.equals(s.tenant()))) {
      tenant = s.tenant();
      tenantAuthenticated = s.tenantAuthenticated();
    } else if (tenant.equals(s.tenant()) && s.tenantAuthenticated()) {
      tenantAuthenticated = true;
    }
    if (!s.trafficClass().isEmpty() && (trafficClass.isEmpty() || (s.isRoot() && !classFromRoot))) {
      trafficClass = s.trafficClass();
      classFromRoot = s.isRoot();
    }
    classUnknown |= s.classUnknown();
    if (!s.workflow().isEmpty() && (workflow.isEmpty() || s.isRoot())) {
      workflow = s.workflow();
    }
    firstStartMicros = Math.min(firstStartMicros, s.startEpochMicros());
    lastEndMicros = Math.max(lastEndMicros, s.endEpochMicros());
    if (s.isRoot()) {
      rootSeen = true;
      rootEndMicros = s.endEpochMicros();
      if (!rules.isEmpty()) {
        // Once per request: the root span carries the attributes the rules read.
        ClassRule r = rules.firstMatch(s.ruleAttributes()::get);
        ruleClass = r == null ? "" : r.className();
        ruleName = r == null ? "" : r.name();
      }
    }
    streamed |= s.streamed();
    admission = Admission.stronger(admission, s.admission());
    degradationLevel = Math.max(degradationLevel, s.degradationLevel());
    inputTokens += s.inputTokens();
    outputTokens += s.outputTokens();

    switch (s.role()) {
      case CLIENT, GATEWAY, MODEL -> keySpans.add(KeySpan.of(s, s.role()));
      case UNSPECIFIED -> keySpans.add(KeySpan.of(s, SpanRole.byOperation(s.operation())));
      case RETRIEVAL ->
          foldRetrieval(
              s.startEpochMicros(),
              s.endEpochMicros(),
              s.retrievalHit(),
              s.retrievalFallback(),
              s.service());
      case TOOL -> foldTool(s.startEpochMicros(), s.endEpochMicros(), s.error());
      case POLICY -> policyMicros += s.endEpochMicros() - s.startEpochMicros();
      case INTERNAL -> internalMicros += s.endEpochMicros() - s.startEpochMicros();
    }
  }

  void foldRetrieval(long start, long end, boolean hit, boolean fallback, String service) {
    retrievals++;
    if (!hit) {
      retrievalMisses++;
    }
    if (fallback) {
      retrievalFallbacks++;
    }
    retrievalMicros += end - start;
    if (end - start > slowestRetrievalMicros) {
      slowestRetrievalMicros = end - start;
      retrievalService = service;
    }
  }

  void foldTool(long start, long end, boolean error) {
    toolCalls++;
    toolMinStartMicros = Math.min(toolMinStartMicros, start);
    toolMaxEndMicros = Math.max(toolMaxEndMicros, end);
    toolFailed |= error;
    toolMicros += end - start;
  }

  /** Decides the open roles and computes the summary. Call once, when the request completes. */
  RequestSummary summarize(String fallbackClass, boolean partial) {
    KeySpan client = null;
    for (KeySpan k : keySpans) {
      if (k.role == SpanRole.CLIENT && (client == null || k.startMicros < client.startMicros)) {
        client = k;
      }
    }
    // Gateway: stated explicitly, else the first SERVER span that is the root or a child of the
    // client span (SPAN-CONVENTIONS.md), or for a request without its client span the first
    // SERVER span whose parent is missing.
    KeySpan gateway = null;
    for (KeySpan k : keySpans) {
      if (k.role == SpanRole.GATEWAY && (gateway == null || k.startMicros < gateway.startMicros)) {
        gateway = k;
      }
    }
    if (gateway == null) {
      for (KeySpan k : keySpans) {
        boolean candidate =
            k.role == SpanRole.UNSPECIFIED
                && k.kind == SpanKind.SERVER
                && (k.parentSpanId == 0
                    || (client != null && k.parentSpanId == client.spanId)
                    // Without a client span (a partial request) the topmost SERVER span we
                    // have, one whose parent never arrived, is the gateway.
                    || (client == null && !hasSpan(k.parentSpanId)));
        if (candidate && (gateway == null || k.startMicros < gateway.startMicros)) {
          gateway = k;
        }
      }
    }
    // The remaining unspecified spans take their role from the operation name.
    for (KeySpan k : keySpans) {
      if (k.role == SpanRole.UNSPECIFIED && k != gateway) {
        k.role = k.operationRole;
        switch (k.role) {
          case RETRIEVAL ->
              foldRetrieval(
                  k.startMicros, k.endMicros, k.retrievalHit, k.retrievalFallback, k.service);
          case TOOL -> foldTool(k.startMicros, k.endMicros, k.error);
          case INTERNAL -> internalMicros += k.endMicros - k.startMicros;
          default -> {}
        }
      }
    }
    // Model: the deepest model span, i.e. one that is no other model span's parent; the latest
    // start among those.
    // Linear in the key spans (a trace at the span cap must not cost a quadratic scan): the
    // parents of model spans first, then the model spans that are none of them.
    SpanIdSet modelParents = new SpanIdSet();
    for (KeySpan k : keySpans) {
      if (k.role == SpanRole.MODEL && k.parentSpanId != 0 && k.parentSpanId != k.spanId) {
        modelParents.add(k.parentSpanId);
      }
    }
    KeySpan model = null;
    for (KeySpan k : keySpans) {
      if (k.role == SpanRole.MODEL
          && !modelParents.contains(k.spanId)
          && (model == null || k.startMicros > model.startMicros)) {
        model = k;
      }
    }

    long ttftClient = client == null ? -1 : client.ttftMicros();
    long ttftGateway = gateway == null ? -1 : gateway.ttftMicros();
    long modelComponent = model == null ? -1 : model.ttftMicros();

    long ttft;
    Vantage vantage;
    if (ttftClient >= 0) {
      ttft = ttftClient;
      vantage = Vantage.CLIENT;
    } else if (ttftGateway >= 0) {
      ttft = ttftGateway;
      vantage = Vantage.GATEWAY;
    } else if (modelComponent >= 0) {
      ttft = modelComponent;
      vantage = Vantage.MODEL;
    } else {
      ttft = -1;
      vantage = Vantage.NONE;
    }
    long edge = ttftClient >= 0 && ttftGateway >= 0 ? Math.max(0, ttftClient - ttftGateway) : -1;
    long mesh =
        ttftGateway >= 0 && modelComponent >= 0 ? Math.max(0, ttftGateway - modelComponent) : -1;
    long queue = model == null || model.queueMicros < 0 ? -1 : model.queueMicros;

    KeySpan outcomeSpan = client != null ? client : gateway != null ? gateway : model;
    StreamOutcome outcome = StreamOutcome.NONE;
    // The span whose report decided a broken stream: its end is where the stream broke.
    KeySpan brokeAt = null;
    if (streamed) {
      outcome = StreamOutcome.COMPLETED;
      // An explicit non-completed outcome anywhere wins: the client reports what the user saw,
      // but a gateway that saw the upstream break reports it too.
      if (outcomeSpan != null && outcomeSpan.outcome != StreamOutcome.NONE) {
        outcome = outcomeSpan.outcome;
        brokeAt = outcome == StreamOutcome.COMPLETED ? null : outcomeSpan;
      }
      for (KeySpan k : keySpans) {
        if (k.outcome == StreamOutcome.INTERRUPTED || k.outcome == StreamOutcome.CANCELLED) {
          if (outcome == StreamOutcome.COMPLETED) {
            outcome = k.outcome;
            brokeAt = k;
          }
        }
      }
    }
    InterruptionCause cause = InterruptionCause.NONE;
    if (outcome == StreamOutcome.INTERRUPTED) {
      cause = brokeAt == null ? InterruptionCause.UNKNOWN : brokeAt.cause;
      // The client may see only that the stream broke; a gateway may know why. (NONE: a key span
      // restored from a snapshot older than causes.)
      for (KeySpan k : keySpans) {
        if ((cause == InterruptionCause.UNKNOWN || cause == InterruptionCause.NONE)
            && k.outcome == StreamOutcome.INTERRUPTED
            && k.cause != InterruptionCause.UNKNOWN
            && k.cause != InterruptionCause.NONE) {
          cause = k.cause;
        }
      }
      if (cause == InterruptionCause.NONE) {
        cause = InterruptionCause.UNKNOWN;
      }
    }
    long cutAfter = brokeAt == null ? -1 : Math.max(0, brokeAt.endMicros - brokeAt.startMicros);
    // Continuity as the outermost span that measured it saw it (the user's view first).
    long maxGap = -1;
    int stalls = -1;
    if (streamed) {
      for (KeySpan k : new KeySpan[] {client, gateway, model}) {
        if (k != null && maxGap < 0 && k.maxGapMicros >= 0) {
          maxGap = k.maxGapMicros;
        }
        if (k != null && stalls < 0 && k.stalls >= 0) {
          stalls = k.stalls;
        }
      }
    }

    MeshRole dominant = MeshRole.NONE;
    long best = 0;
    if (retrievalMicros > best) {
      best = retrievalMicros;
      dominant = MeshRole.RETRIEVAL;
    }
    if (toolMicros > best) {
      best = toolMicros;
      dominant = MeshRole.TOOL;
    }
    if (policyMicros > best) {
      best = policyMicros;
      dominant = MeshRole.POLICY;
    }
    if (internalMicros > best) {
      dominant = MeshRole.INTERNAL;
    }

    // A class named by a span wins; else the root span's first matching rule; else the fallback.
    boolean byRule = trafficClass.isEmpty() && !ruleClass.isEmpty();
    boolean byFallback = trafficClass.isEmpty() && ruleClass.isEmpty();
    return new RequestSummary(
        traceId,
        tenant.isEmpty() ? "default" : tenant,
        byRule ? ruleClass : byFallback ? fallbackClass : trafficClass,
        classUnknown,
        workflow,
        firstStartMicros,
        Math.max(0, lastEndMicros - firstStartMicros),
        ttft,
        vantage,
        edge,
        mesh,
        modelComponent,
        queue,
        streamed,
        outcome,
        toolCalls,
        toolCalls == 0 ? -1 : Math.max(0, toolMaxEndMicros - toolMinStartMicros),
        toolFailed,
        retrievals,
        retrievalMisses,
        retrievalFallbacks,
        inputTokens,
        outputTokens,
        client == null ? "" : client.clientPath,
        client == null ? "" : client.protocolVersion,
        client != null && client.protocolFallback,
        client == null ? 0 : client.retransmits,
        dominant,
        partial || !rootSeen,
        byRule ? ruleName : "",
        byFallback,
        tenantAuthenticated && !tenant.isEmpty(),
        admission,
        degradationLevel,
        client == null ? "" : client.connectionType,
        gateway == null ? "" : gateway.region,
        firstNonEmpty(model, gateway, client),
        model == null ? "" : model.service,
        retrievalService,
        maxGap,
        stalls,
        cause,
        cutAfter);
  }

  /** The first non-empty {@code gen_ai.request.model} of these spans (any may be null). */
  private static String firstNonEmpty(KeySpan... spans) {
    for (KeySpan k : spans) {
      if (k != null && !k.model.isEmpty()) {
        return k.model;
      }
    }
    return "";
  }
}
