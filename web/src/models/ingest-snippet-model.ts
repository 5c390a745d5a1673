/** Where this Waggle receives OTLP, as the session endpoint tells it (null: not known). */
export interface IngestPortsInfo {
  readonly otlp_http_port: number;
  readonly otlp_grpc_port: number;
}

/** What the home page shows a newcomer: the endpoints to point an exporter at, and a shell snippet. */
export interface IngestSnippet {
  readonly otlpHttpUrl: string;
  readonly otlpGrpcAddress: string;
  readonly snippet: string;
}

/** The ports Waggle listens on by default (WAGGLE_OTLP_HTTP_PORT, WAGGLE_OTLP_GRPC_PORT). */
const DEFAULT_PORTS: IngestPortsInfo = { otlp_http_port: 4318, otlp_grpc_port: 4317 };

/** A host name as it goes into a URL: IPv6 addresses in brackets. */
function urlHost(hostname: string): string {
  return hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
}

/**
 * The getting-started endpoints and snippet for a browser that reached Waggle at `hostname`: the
 * server's own OTLP ports (plain HTTP: Waggle's listeners serve no TLS), and, when keys are
 * checked, the header an exporter sends its key in (an ingest key: send_events, and create_datasets
 * for a service that starts a dataset).
 */
export function ingestSnippet(hostname: string, ports: IngestPortsInfo | null, keysRequired: boolean): IngestSnippet {
  const { otlp_http_port: httpPort, otlp_grpc_port: grpcPort } = ports ?? DEFAULT_PORTS;
  const host = urlHost(hostname === '' ? 'localhost' : hostname);
  const endpoint = `http://${host}:${httpPort}`;
  const lines = ['# Any OpenTelemetry SDK: point its OTLP exporter at Waggle', `export OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint}`, 'export OTEL_SERVICE_NAME=my-service'];
  if (keysRequired) {
    lines.push(
      '',
      '# This Waggle checks API keys. Create one with send_events and create_datasets',
      '# (a new service starts a dataset) on the API keys page, or:',
      '#   waggle keys create --name my-service --permissions send_events,create_datasets',
      'export OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=<your ingest key>',
    );
  }
  lines.push('', '# Node.js, for example', 'npm install @opentelemetry/sdk-node @opentelemetry/auto-instrumentations-node', 'node --require @opentelemetry/auto-instrumentations-node/register app.js');
  return { otlpHttpUrl: `${endpoint}/v1/traces`, otlpGrpcAddress: `${host}:${grpcPort}`, snippet: lines.join('\n') };
}
