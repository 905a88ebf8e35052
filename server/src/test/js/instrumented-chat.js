'use strict';
// Streams chat completions with the `openai` npm client against an OpenAI-compatible server while
// a GenAI instrumentation library traces the calls and exports its spans with its own OTLP
// exporter. Run by GenAiInstrumentationsNpmIT:
//
//   node instrumented-chat.js <traceloop|openinference> <openai base url> <otlp base url> <requests>
//
// traceloop:     @traceloop/node-server-sdk (OpenLLMetry for Node), its own OTLP/HTTP protobuf
//                exporter to <otlp base url>/v1/traces
// openinference: @arizeai/openinference-instrumentation-openai on the OpenTelemetry Node SDK with
//                the OTLP/HTTP protobuf exporter, as Arize documents it
//
// Prints one JSON line {"code": 0, "requests": n, "chunks": m} and exits 0 once every span was
// exported, 1 otherwise. Nothing Tierscope-specific is set on any span.

const [library, openaiUrl, otlpUrl, count] = process.argv.slice(2);
const requests = Number.parseInt(count, 10);
if (!['traceloop', 'openinference'].includes(library) || !openaiUrl || !otlpUrl || !(requests > 0)) {
  console.error('usage: node instrumented-chat.js <traceloop|openinference> <openai url> <otlp url> <n>');
  process.exit(2);
}

// Loaded first: the libraries patch it. OpenInference takes the module, Traceloop the client class
// (as each documents it).
const openaiModule = require('openai');
const { OpenAI } = openaiModule;

function traceloop() {
  const sdk = require('@traceloop/node-server-sdk');
  sdk.initialize({
    appName: 'traceloop-chat',
    baseUrl: otlpUrl,
    headers: {}, // no Traceloop API key: the receiver is a local Tierscope
    disableBatch: true,
    traceloopSyncEnabled: false,
    silenceInitializationMessage: true,
    instrumentModules: { openAI: OpenAI },
  });
  return () => sdk.forceFlush();
}

function openInference() {
  const { NodeTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { OpenAIInstrumentation } = require('@arizeai/openinference-instrumentation-openai');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'openinference-chat' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${otlpUrl}/v1/traces` }))],
  });
  provider.register();
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(provider);
  instrumentation.manuallyInstrument(openaiModule);
  return () => provider.forceFlush();
}

async function main() {
  const flush = library === 'traceloop' ? traceloop() : openInference();
  const client = new OpenAI({ baseURL: `${openaiUrl}/v1`, apiKey: 'test-key', maxRetries: 0 });
  let chunks = 0;
  for (let i = 0; i < requests; i++) {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `question ${i}` }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      if (chunk) {
        chunks++;
      }
    }
  }
  // OpenInference ends its span when its own copy of the stream is consumed, just after ours.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await flush();
  console.log(JSON.stringify({ code: 0, requests, chunks }));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e && e.stack ? e.stack : String(e));
    console.log(JSON.stringify({ code: 1, error: String(e) }));
    process.exit(1);
  },
);
