import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ingestSnippet } from './ingest-snippet-model.js';

test("points at the server's own OTLP ports on the host the browser reached", () => {
  const shown = ingestSnippet('waggle.internal', { otlp_http_port: 4481, otlp_grpc_port: 4482 }, false);
  assert.equal(shown.otlpHttpUrl, 'http://waggle.internal:4481/v1/traces');
  assert.equal(shown.otlpGrpcAddress, 'waggle.internal:4482');
  assert.equal(
    shown.snippet,
    [
      '# Any OpenTelemetry SDK: point its OTLP exporter at Waggle',
      'export OTEL_EXPORTER_OTLP_ENDPOINT=http://waggle.internal:4481',
      'export OTEL_SERVICE_NAME=my-service',
      '',
      '# Node.js, for example',
      'npm install @opentelemetry/sdk-node @opentelemetry/auto-instrumentations-node',
      'node --require @opentelemetry/auto-instrumentations-node/register app.js',
    ].join('\n'),
  );
});

test('with keys checked, says where the ingest key goes and how to make one', () => {
  const shown = ingestSnippet('127.0.0.1', { otlp_http_port: 4318, otlp_grpc_port: 4317 }, true);
  assert.equal(
    shown.snippet.split('\n').slice(3, 8).join('\n'),
    [
      '',
      '# This Waggle checks API keys. Create one with send_events and create_datasets',
      '# (a new service starts a dataset) on the API keys page, or:',
      '#   waggle keys create --name my-service --permissions send_events,create_datasets',
      'export OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=<your ingest key>',
    ].join('\n'),
  );
});

test('falls back to the default ports, brackets IPv6 hosts', () => {
  const shown = ingestSnippet('::1', null, false);
  assert.equal(shown.otlpHttpUrl, 'http://[::1]:4318/v1/traces');
  assert.equal(shown.otlpGrpcAddress, '[::1]:4317');
  assert.equal(ingestSnippet('', null, false).otlpGrpcAddress, 'localhost:4317');
});
