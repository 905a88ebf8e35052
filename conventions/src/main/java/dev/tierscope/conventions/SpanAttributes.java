package dev.tierscope.conventions;

/**
 * The attribute, event and value names of the Tierscope span conventions (SPAN-CONVENTIONS.md).
 *
 * <p>Why one class: the SDK writes these names and the ingest reads them; spelling them in one
 * place means the two cannot drift apart. Standard OpenTelemetry names are used where one exists;
 * the {@code tierscope.*} names fill the gaps.
 */
public final class SpanAttributes {

  private SpanAttributes() {}

  // Resource attributes.
  public static final String SERVICE_NAME = "service.name";
  public static final String TENANT = "tierscope.tenant";
  public static final String DEFAULT_TENANT = "default";

  // Role.
  public static final String ROLE = "tierscope.role";

  // Request level.
  public static final String CLASS = "tierscope.class";
  public static final String WORKFLOW = "tierscope.workflow";
  public static final String GEN_AI_WORKFLOW_NAME = "gen_ai.workflow.name";

  // First token, in order of precedence.
  public static final String FIRST_TOKEN_EVENT = "first_token";
  public static final String GEN_AI_TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk";
  public static final String GEN_AI_SERVER_TIME_TO_FIRST_TOKEN =
      "gen_ai.server.time_to_first_token";
  public static final String TTFT_MS = "tierscope.ttft_ms";

  // Operation (role inference).
  public static final String GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
  public static final String OPERATION_CHAT = "chat";
  public static final String OPERATION_TEXT_COMPLETION = "text_completion";
  public static final String OPERATION_GENERATE_CONTENT = "generate_content";
  public static final String OPERATION_RETRIEVAL = "retrieval";
  public static final String OPERATION_EXECUTE_TOOL = "execute_tool";

  // Streams.
  public static final String GEN_AI_REQUEST_STREAM = "gen_ai.request.stream";
  public static final String STREAM_OUTCOME = "tierscope.stream.outcome";

  // Stream continuity (no OpenTelemetry span attribute or event exists for these: OpenTelemetry
  // has only the metric gen_ai.client.operation.time_per_output_chunk).
  /** The largest gap between two consecutive chunks of the stream, milliseconds (double). */
  public static final String STREAM_MAX_GAP_MS = "tierscope.stream.max_gap_ms";

  /** How many gaps between consecutive chunks were longer than the stall threshold (int). */
  public static final String STREAM_STALLS = "tierscope.stream.stalls";

  /** Why an interrupted stream broke: one of {@link InterruptionCauses}. */
  public static final String STREAM_INTERRUPTION_CAUSE = "tierscope.stream.interruption_cause";

  /** A span event per received chunk, at the chunk's arrival; gaps are computed from them. */
  public static final String STREAM_CHUNK_EVENT = "tierscope.stream.chunk";

  // Retrieval.
  public static final String RETRIEVAL_HIT = "tierscope.retrieval.hit";
  public static final String RETRIEVAL_FALLBACK = "tierscope.retrieval.fallback";

  // Tools.
  public static final String GEN_AI_TOOL_NAME = "gen_ai.tool.name";

  // Model runtime.
  public static final String GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
  public static final String GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
  public static final String GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
  public static final String GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
  public static final String MODEL_QUEUE_MS = "tierscope.model.queue_ms";

  // Edge.
  public static final String NETWORK_PROTOCOL_NAME = "network.protocol.name";
  public static final String NETWORK_PROTOCOL_VERSION = "network.protocol.version";
  public static final String NETWORK_CONNECTION_TYPE = "network.connection.type";
  public static final String CLIENT_PATH = "tierscope.client.path";

  /** Region or point of presence the reporting service runs in (resource, or span to override). */
  public static final String CLOUD_REGION = "cloud.region";

  public static final String TRANSPORT_PROTOCOL_FALLBACK = "tierscope.transport.protocol_fallback";
  public static final String TRANSPORT_RETRANSMITS = "tierscope.transport.retransmits";

  // Admission control: what the gateway did with the request (on the gateway span).
  public static final String ADMISSION = "tierscope.admission";

  /**
   * The degradation level the gateway served the request with: an int 0 to 3 (0: none), or the
   * string {@code none}, {@code 1}, {@code 2}, {@code 3}.
   */
  public static final String DEGRADATION = "tierscope.degradation";

  /** Values of {@link #ADMISSION}. */
  public static final class Admissions {
    private Admissions() {}

    public static final String ADMITTED = "admitted";
    public static final String DEFERRED = "deferred";
    public static final String SHED = "shed";
  }

  /** The string value of {@link #DEGRADATION} that means no degradation. */
  public static final String DEGRADATION_NONE = "none";

  /** Values of {@link #ROLE}. */
  public static final class Roles {
    private Roles() {}

    public static final String CLIENT = "client";
    public static final String GATEWAY = "gateway";
    public static final String MODEL = "model";
    public static final String RETRIEVAL = "retrieval";
    public static final String TOOL = "tool";
    public static final String POLICY = "policy";
    public static final String INTERNAL = "internal";
  }

  /** Values of {@link #STREAM_OUTCOME}. */
  public static final class StreamOutcomes {
    private StreamOutcomes() {}

    public static final String COMPLETED = "completed";
    public static final String INTERRUPTED = "interrupted";
    public static final String CANCELLED = "cancelled";
  }

  /** Values of {@link #STREAM_INTERRUPTION_CAUSE}. */
  public static final class InterruptionCauses {
    private InterruptionCauses() {}

    /** A proxy or load balancer cut a connection it thought idle (or too long). */
    public static final String IDLE_TIMEOUT = "idle_timeout";

    /** The upstream (model server, gateway) reset the stream. */
    public static final String UPSTREAM_RESET = "upstream_reset";

    /** The network between client and server failed (connection lost, TLS error). */
    public static final String NETWORK = "network";

    /** The server answered an error in the middle of the stream. */
    public static final String SERVER_ERROR = "server_error";
  }

  /** The default traffic classes. */
  public static final class Classes {
    private Classes() {}

    public static final String INTERACTIVE_PREMIUM = "interactive_premium";
    public static final String STANDARD_INTERACTIVE = "standard_interactive";
    public static final String DEFERRED_BATCH = "deferred_batch";
  }
}
