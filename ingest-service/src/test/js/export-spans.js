'use strict';
// Sends one Tierscope-shaped chat trace to an OTLP/HTTP endpoint with the OpenTelemetry JS SDK,
// through the JSON exporter (@opentelemetry/exporter-trace-otlp-http) or the protobuf one
// (@opentelemetry/exporter-trace-otlp-proto). Run by OtlpJsClientIT:
//
//   node export-spans.js <url of /v1/traces> <json|proto> [gzip]
//
// Prints one JSON line: {"code": 0, "traceId": "...", "spans": {"<name>": "<spanId>", ...}} (with
// "status" and "body" of a refused export) and exits 0 when the exporter reported success, 1
// otherwise. Headers and trusted certificates come from the environment, as for any application:
// OTEL_EXPORTER_OTLP_HEADERS, NODE_EXTRA_CA_CERTS.

const api = require('@opentelemetry/api');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} = require('@opentelemetry/sdk-trace-base');

const [url, protocol, compression] = process.argv.slice(2);
if (!url || (protocol !== 'json' && protocol !== 'proto')) {
  console.error('usage: node export-spans.js <url> <json|proto> [gzip]');
  process.exit(2);
}
const { OTLPTraceExporter } =
  protocol === 'json'
    ? require('@opentelemetry/exporter-trace-otlp-http')
    : require('@opentelemetry/exporter-trace-otlp-proto');

const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({
    'service.name': 'js-chat-' + protocol,
    'tierscope.tenant': 'js-tenant',
  }),
  spanProcessors: [new SimpleSpanProcessor(memory)],
});
const tracer = provider.getTracer('tierscope-js-it');

// 2026-01-01T00:00:00Z in milliseconds; OTel JS takes times as epoch milliseconds.
const t0 = 1767225600000;
const client = tracer.startSpan('POST /chat', {
  kind: api.SpanKind.CLIENT,
  startTime: t0,
  attributes: {
    'tierscope.class': 'interactive_premium',
    'gen_ai.request.stream': true,
    'tierscope.client.path': 'mobile',
    'network.protocol.version': '2',
    'tierscope.transport.retransmits': 3,
  },
});
client.addEvent('first_token', {}, t0 + 420);
const inClient = api.trace.setSpan(api.ROOT_CONTEXT, client);

const gateway = tracer.startSpan(
  'chat gateway',
  {
    kind: api.SpanKind.SERVER,
    startTime: t0 + 20,
    attributes: { 'tierscope.role': 'gateway', 'gen_ai.response.time_to_first_chunk': 0.35 },
  },
  inClient,
);
const inGateway = api.trace.setSpan(inClient, gateway);

const model = tracer.startSpan(
  'chat llama',
  {
    kind: api.SpanKind.CLIENT,
    startTime: t0 + 50,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'llama-3.1-8b',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 350,
      'tierscope.model.queue_ms': 12.5,
      'gen_ai.server.time_to_first_token': 0.25,
    },
  },
  inGateway,
);
model.end(t0 + 900);
gateway.end(t0 + 950);
client.end(t0 + 1000);

const spans = memory.getFinishedSpans();
const config = { url, timeoutMillis: 20000 };
if (compression === 'gzip') {
  config.compression = 'gzip';
}
const exporter = new OTLPTraceExporter(config);
exporter.export(spans, (result) => {
  const names = {};
  for (const s of spans) {
    names[s.name] = s.spanContext().spanId;
  }
  console.log(
    JSON.stringify({
      code: result.code,
      error: result.error ? String(result.error) : null,
      // the HTTP status of a refused export, and the OTLP status body the receiver sent
      status: result.error && result.error.code ? result.error.code : null,
      body: result.error && result.error.data ? String(result.error.data) : null,
      traceId: client.spanContext().traceId,
      spans: names,
    }),
  );
  exporter.shutdown().finally(() => process.exit(result.code === 0 ? 0 : 1));
});
