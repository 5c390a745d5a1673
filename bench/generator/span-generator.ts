import type {
  GeneratedAttribute,
  GeneratedAttributeValue,
  GeneratedResource,
  GeneratedScope,
  GeneratedSpan,
  OtlpSpanKind,
  OtlpStatusCode,
} from './generated-span.js';
import { SeededRandom } from './seeded-random.js';

/** The shape of the synthetic world; fixed so results compare across runs and machines. */
export const BENCH_WORLD = {
  services: 8,
  routes: 60,
  users: 50_000,
  tenants: 200,
  instancesPerService: 3,
  /** Share of traces whose user is one of the few heavy users (so "top 10 users" means something). */
  heavyUserShare: 0.3,
  heavyUsers: 100,
  anonymousShare: 0.1,
  /** Probability that a trace fails; its failing span, the client span above it and the root are errors. */
  failingTraceShare: 0.02,
  /** Probability of a slow outlier trace (×5 to ×25 the route's usual latency). */
  slowTraceShare: 0.01,
} as const;

export interface SpanGeneratorOptions {
  readonly seed: number;
  /** Trace start times are drawn uniformly from [windowStartNs, windowStartNs + windowNs). */
  readonly windowStartNs: bigint;
  readonly windowNs: bigint;
  /**
   * Extra trace-level attributes `bench.extra_00`, `bench.extra_01`, ... on every span (default 0),
   * so a data set can have as many columns as a benchmark needs (BubbleUp's target is stated for 50
   * columns; the world alone has 42 comparable ones). Their values come from a random stream of
   * their own, so the other columns are the same with or without them.
   */
  readonly extraAttributes?: number;
}

/** Cardinalities of the extra attributes, in turn: from a handful of values to thousands. */
const EXTRA_CARDINALITIES = [4, 12, 60, 500, 5000] as const;

/** `bench.extra_07`: fixed width, so the names sort in order. */
export function extraAttributeKey(index: number): string {
  return `bench.extra_${String(index).padStart(2, '0')}`;
}

interface ServiceProfile {
  readonly name: string;
  readonly language: 'nodejs' | 'go' | 'java' | 'python' | 'dotnet';
  readonly version: string;
  readonly db: { readonly system: string; readonly name: string; readonly port: number } | null;
  readonly httpScope: GeneratedScope;
  readonly dbScope: GeneratedScope | null;
  readonly internalScope: GeneratedScope;
  readonly resources: readonly GeneratedResource[];
}

interface RouteProfile {
  readonly service: ServiceProfile;
  readonly method: string;
  readonly route: string;
  /** Median latency of the route's own work, in milliseconds. */
  readonly medianMs: number;
  /** Backend routes this route calls, in order. */
  readonly calls: readonly RouteProfile[];
}

const SDK_VERSION: Record<ServiceProfile['language'], string> = {
  nodejs: '1.25.1',
  go: '1.28.0',
  java: '1.40.0',
  python: '1.25.0',
  dotnet: '1.9.0',
};

const USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36',
  'shop-ios/4.12.0 (iPhone; iOS 17.5)',
  'shop-android/4.11.3 (Android 14)',
  'curl/8.7.1',
  'python-requests/2.32.3',
  'Go-http-client/2.0',
];

const ENTRY_NOUNS: readonly string[] = [
  'products', 'cart', 'orders', 'account', 'search', 'checkout', 'reviews', 'wishlist', 'shipping',
];

function str(value: string): GeneratedAttributeValue {
  return { kind: 'string', value };
}

function int(value: number): GeneratedAttributeValue {
  return { kind: 'int', value };
}

function attr(key: string, value: GeneratedAttributeValue): GeneratedAttribute {
  return { key, value };
}

function hex(random: SeededRandom, length: number): string {
  let out = '';
  while (out.length < length) out += random.uint32().toString(16).padStart(8, '0');
  return out.slice(0, length);
}

function buildServices(random: SeededRandom): ServiceProfile[] {
  const specs: Array<[string, ServiceProfile['language'], ServiceProfile['db']]> = [
    ['frontend', 'nodejs', null],
    ['api-gateway', 'go', null],
    ['checkout', 'java', { system: 'postgresql', name: 'orders', port: 5432 }],
    ['cart', 'dotnet', { system: 'redis', name: '0', port: 6379 }],
    ['catalog', 'python', { system: 'postgresql', name: 'catalog', port: 5432 }],
    ['payments', 'java', { system: 'postgresql', name: 'payments', port: 5432 }],
    ['users', 'go', { system: 'mysql', name: 'users', port: 3306 }],
    ['search', 'python', { system: 'elasticsearch', name: 'products', port: 9200 }],
  ];
  return specs.map(([name, language, db], serviceIndex) => {
    const version = `1.${serviceIndex + 3}.${random.int(20)}`;
    const resources: GeneratedResource[] = [];
    for (let instance = 0; instance < BENCH_WORLD.instancesPerService; instance += 1) {
      const region = instance % 2 === 0 ? 'us-east-1' : 'eu-west-1';
      resources.push({
        attributes: [
          attr('service.name', str(name)),
          attr('service.namespace', str('shop')),
          attr('service.version', str(version)),
          attr('service.instance.id', str(`${hex(random, 8)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 12)}`)),
          attr('host.name', str(`${name}-${hex(random, 10)}-${hex(random, 5)}`)),
          attr('deployment.environment.name', str('production')),
          attr('cloud.region', str(region)),
          attr('telemetry.sdk.language', str(language)),
          attr('telemetry.sdk.name', str('opentelemetry')),
          attr('telemetry.sdk.version', str(SDK_VERSION[language])),
        ],
      });
    }
    const httpScopeName: Record<ServiceProfile['language'], string> = {
      nodejs: '@opentelemetry/instrumentation-http',
      go: 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp',
      java: 'io.opentelemetry.tomcat-10.0',
      python: 'opentelemetry.instrumentation.flask',
      dotnet: 'OpenTelemetry.Instrumentation.AspNetCore',
    };
    return {
      name,
      language,
      version,
      db,
      httpScope: { name: httpScopeName[language], version: '0.52.1' },
      dbScope: db === null ? null : { name: `instrumentation-${db.system}`, version: '0.43.0' },
      internalScope: { name, version },
      resources,
    };
  });
}

/** 24 backend routes (4 per backend service) and 36 entry routes: 60 in all. */
function buildRoutes(random: SeededRandom, services: readonly ServiceProfile[]): RouteProfile[] {
  const backends = services.slice(2);
  const backendRoutes: RouteProfile[] = [];
  for (const service of backends) {
    const shapes: Array<[string, string]> = [
      ['GET', `/${service.name}/v1/items/:id`],
      ['GET', `/${service.name}/v1/items`],
      ['POST', `/${service.name}/v1/events`],
      ['DELETE', `/${service.name}/v1/sessions/:id`],
    ];
    for (const [method, route] of shapes) {
      backendRoutes.push({ service, method, route, medianMs: 2 + random.float() * 30, calls: [] });
    }
  }
  const entryRoutes: RouteProfile[] = [];
  const entryServices = services.slice(0, 2);
  for (let i = 0; i < 36; i += 1) {
    const service = entryServices[i % 2]!;
    const k = Math.floor(i / 2);
    const noun = ENTRY_NOUNS[k % ENTRY_NOUNS.length]!;
    const byId = k >= ENTRY_NOUNS.length;
    const prefix = service.name === 'frontend' ? '' : '/api/v1';
    const method = byId && k % 3 === 0 ? 'POST' : 'GET';
    // Every backend route is called by some entry route; 0-2 further calls are random.
    const calls: RouteProfile[] = [backendRoutes[i % backendRoutes.length]!];
    const extra = random.int(3);
    for (let c = 0; c < extra; c += 1) calls.push(random.pick(backendRoutes));
    entryRoutes.push({ service, method, route: byId ? `${prefix}/${noun}/:id` : `${prefix}/${noun}`, medianMs: 1 + random.float() * 20, calls });
  }
  return [...entryRoutes, ...backendRoutes];
}

interface TraceContext {
  readonly traceId: Uint8Array;
  readonly traceStartNs: bigint;
  readonly common: readonly GeneratedAttribute[];
  readonly rotatableUserIndex: number;
  readonly userAgent: string;
  readonly clientAddress: string;
  readonly failing: boolean;
  readonly out: GeneratedSpan[];
}

/**
 * Deterministic generator of realistic traces (see BENCH_WORLD), handed out in batches of an exact
 * span count; a trace may be split across two batches, as exporters do.
 */
export class SpanGenerator {
  private readonly random: SeededRandom;
  private readonly extraRandom: SeededRandom;
  private readonly options: SpanGeneratorOptions;
  private readonly services: readonly ServiceProfile[];
  private readonly entryRoutes: readonly RouteProfile[];
  private readonly allRoutes: readonly RouteProfile[];
  private pending: GeneratedSpan[] = [];
  private pendingStart = 0;

  constructor(options: SpanGeneratorOptions) {
    this.options = options;
    // The world (services, routes) comes from a fixed seed: every data set shares it, only traces vary.
    const worldRandom = new SeededRandom(0x5ea7_0001);
    this.services = buildServices(worldRandom);
    this.allRoutes = buildRoutes(worldRandom, this.services);
    this.entryRoutes = this.allRoutes.filter((route) => route.calls.length > 0);
    this.random = new SeededRandom(options.seed);
    this.extraRandom = new SeededRandom(options.seed ^ 0xe47a);
  }

  /** Even indexes are strings, odd ones integers; cardinality by EXTRA_CARDINALITIES. */
  private extraAttributes(): GeneratedAttribute[] {
    const out: GeneratedAttribute[] = [];
    for (let k = 0; k < (this.options.extraAttributes ?? 0); k += 1) {
      const value = this.extraRandom.int(EXTRA_CARDINALITIES[k % EXTRA_CARDINALITIES.length]!);
      out.push(attr(extraAttributeKey(k), k % 2 === 0 ? str(`v${value}`) : int(value)));
    }
    return out;
  }

  /** Every http.route of the world, for tests and query benchmarks. */
  routes(): string[] {
    return this.allRoutes.map((route) => route.route);
  }

  serviceNames(): string[] {
    return this.services.map((service) => service.name);
  }

  /** Exactly `count` spans: the rest of the previous trace first, then new traces. */
  nextBatch(count: number): GeneratedSpan[] {
    const batch: GeneratedSpan[] = [];
    while (batch.length < count) {
      if (this.pendingStart >= this.pending.length) {
        this.pending = this.generateTrace();
        this.pendingStart = 0;
      }
      const take = Math.min(count - batch.length, this.pending.length - this.pendingStart);
      for (let i = 0; i < take; i += 1) batch.push(this.pending[this.pendingStart + i]!);
      this.pendingStart += take;
    }
    return batch;
  }

  private generateTrace(): GeneratedSpan[] {
    const random = this.random;
    const traceId = new Uint8Array(16);
    random.fillNonZero(traceId);
    const offsetNs = BigInt(Math.floor(random.float() * Number(this.options.windowNs)));
    const traceStartNs = this.options.windowStartNs + offsetNs;

    let userIndex = -1;
    let rotatableUserIndex = -1;
    if (!random.chance(BENCH_WORLD.anonymousShare)) {
      if (random.chance(BENCH_WORLD.heavyUserShare)) {
        // Cubing a uniform value skews toward index 0: a few users dominate.
        userIndex = Math.floor(BENCH_WORLD.heavyUsers * random.float() ** 3);
      } else {
        userIndex = random.int(BENCH_WORLD.users);
        rotatableUserIndex = userIndex;
      }
    }
    const common: GeneratedAttribute[] = this.extraAttributes();
    if (userIndex >= 0) {
      common.push(attr('user.id', str(formatUserId(userIndex))));
      common.push(attr('tenant.id', str(formatTenantId(userIndex % BENCH_WORLD.tenants))));
    }
    const ipIndex = userIndex >= 0 ? userIndex : random.int(BENCH_WORLD.users);
    const context: TraceContext = {
      traceId,
      traceStartNs,
      common,
      rotatableUserIndex,
      userAgent: USER_AGENTS[ipIndex % USER_AGENTS.length]!,
      clientAddress: `10.${(ipIndex >> 12) & 255}.${(ipIndex >> 4) & 255}.${(ipIndex & 15) * 16 + 1}`,
      failing: random.chance(BENCH_WORLD.failingTraceShare),
      out: [],
    };

    const route = random.pick(this.entryRoutes);
    let durationMs = random.logNormal(route.medianMs + route.calls.length * 15, 0.5);
    if (random.chance(BENCH_WORLD.slowTraceShare)) durationMs *= 5 + random.float() * 20;
    const failingCall = context.failing ? random.int(route.calls.length) : -1;
    this.serverSpan(context, route, null, 0, durationMs * 1e6, failingCall >= 0 ? failingCall : null, 'root');
    return context.out;
  }

  /**
   * Emits a SERVER span for `route` over [startOffset, startOffset + durationNs) and its children.
   * failingCall: index of the backend call that fails (entry spans), or null.
   */
  private serverSpan(
    context: TraceContext,
    route: RouteProfile,
    parentSpanId: Uint8Array | null,
    startOffsetNs: number,
    durationNs: number,
    failingCall: number | null,
    role: 'root' | 'backend' | 'failing-backend',
  ): void {
    const random = this.random;
    const service = route.service;
    const resource = random.pick(service.resources);
    const spanId = this.newSpanId();
    const failed = role === 'failing-backend' || (role === 'root' && failingCall !== null);
    let status = 200;
    if (failed) {
      status = role === 'root' ? 502 : random.chance(0.7) ? 500 : 503;
    } else if (route.method === 'POST') {
      status = random.chance(0.02) ? 400 : 201;
    } else if (route.method === 'DELETE') {
      status = random.chance(0.03) ? 404 : 204;
    } else {
      const roll = random.float();
      status = roll < 0.02 && route.route.endsWith(':id') ? 404 : roll < 0.05 ? 304 : roll < 0.055 ? 401 : 200;
    }

    // Children share the parent's interval: a slice of work before, the calls, a slice after.
    const children: Array<() => void> = [];
    let cursor = startOffsetNs + durationNs * (0.02 + random.float() * 0.08);
    const end = startOffsetNs + durationNs;
    if (role === 'root' && random.chance(0.5)) {
      const internalDuration = durationNs * (0.02 + random.float() * 0.05);
      const internalStart = cursor;
      children.push(() => this.internalSpan(context, service, resource, spanId, internalStart, internalDuration));
      cursor += internalDuration;
    }
    const callCount = route.calls.length + (service.db !== null ? 1 + random.int(2) : 0);
    const share = (end - cursor) * 0.9 / Math.max(1, callCount);
    for (let c = 0; c < route.calls.length; c += 1) {
      const target = route.calls[c]!;
      const callStart = cursor;
      const callDuration = share * (0.6 + random.float() * 0.4);
      const fails = failingCall === c;
      children.push(() => this.clientCall(context, service, resource, spanId, target, callStart, callDuration, fails));
      cursor += share;
    }
    if (service.db !== null) {
      for (let d = route.calls.length; d < callCount; d += 1) {
        const dbStart = cursor;
        const dbDuration = share * (0.5 + random.float() * 0.5);
        children.push(() => this.dbSpan(context, service, resource, spanId, route, dbStart, dbDuration));
        cursor += share;
      }
    }

    const attributes: GeneratedAttribute[] = [
      attr('http.request.method', str(route.method)),
      attr('http.route', str(route.route)),
      attr('url.path', str(route.route.replace(':id', String(1000 + random.int(90_000))))),
      attr('url.scheme', str(role === 'root' ? 'https' : 'http')),
      attr('http.response.status_code', int(status)),
      attr('http.response.body.size', int(status === 204 || status === 304 ? 0 : 200 + random.int(40_000))),
      attr('network.protocol.version', str(role === 'root' ? '2' : '1.1')),
      attr('server.port', int(role === 'root' ? 443 : 8080)),
      attr('user_agent.original', str(role === 'root' ? context.userAgent : 'otel-http-client')),
      attr('client.address', str(role === 'root' ? context.clientAddress : '10.200.0.' + (1 + random.int(30)))),
      ...context.common,
    ];
    context.out.push(this.span(context, spanId, parentSpanId, `${route.method} ${route.route}`, 2, startOffsetNs, durationNs,
      attributes, failed ? 2 : 0, failed ? `HTTP ${status}` : '', resource, service.httpScope));
    for (const child of children) child();
  }

  private clientCall(
    context: TraceContext,
    service: ServiceProfile,
    resource: GeneratedResource,
    parentSpanId: Uint8Array,
    target: RouteProfile,
    startOffsetNs: number,
    durationNs: number,
    fails: boolean,
  ): void {
    const random = this.random;
    const spanId = this.newSpanId();
    const status = fails ? 500 : target.method === 'POST' ? 201 : target.method === 'DELETE' ? 204 : 200;
    const path = target.route.replace(':id', String(1000 + random.int(90_000)));
    const attributes: GeneratedAttribute[] = [
      attr('http.request.method', str(target.method)),
      attr('server.address', str(target.service.name)),
      attr('server.port', int(8080)),
      attr('net.peer.name', str(target.service.name)),
      attr('url.full', str(`http://${target.service.name}:8080${path}`)),
      attr('http.response.status_code', int(status)),
      attr('network.protocol.version', str('1.1')),
      ...context.common,
    ];
    context.out.push(this.span(context, spanId, parentSpanId, target.method, 3, startOffsetNs, durationNs, attributes,
      fails ? 2 : 0, fails ? `HTTP ${status}` : '', resource, service.httpScope));
    // The network takes a little of each side.
    const networkNs = Math.min(500_000, durationNs * 0.1);
    this.serverSpan(context, target, spanId, startOffsetNs + networkNs, durationNs - 2 * networkNs, null, fails ? 'failing-backend' : 'backend');
  }

  private dbSpan(
    context: TraceContext,
    service: ServiceProfile,
    resource: GeneratedResource,
    parentSpanId: Uint8Array,
    route: RouteProfile,
    startOffsetNs: number,
    durationNs: number,
  ): void {
    const db = service.db;
    const scope = service.dbScope;
    if (db === null || scope === null) return;
    const random = this.random;
    const table = `${service.name}_${['items', 'events', 'accounts', 'prices'][random.int(4)]}`;
    const operation = route.method === 'GET' ? 'SELECT' : route.method === 'POST' ? 'INSERT' : 'DELETE';
    let statement: string;
    let name: string;
    if (db.system === 'redis') {
      const command = route.method === 'GET' ? 'HGETALL' : route.method === 'POST' ? 'HSET' : 'DEL';
      statement = `${command} cart:?`;
      name = command;
    } else if (db.system === 'elasticsearch') {
      statement = `{"query":{"match":{"title":"?"}},"size":${10 * (1 + random.int(5))}}`;
      name = `search ${db.name}`;
    } else {
      statement = operation === 'SELECT'
        ? `SELECT * FROM ${table} WHERE id = $1 AND tenant_id = $2 LIMIT ${10 * (1 + random.int(10))}`
        : operation === 'INSERT'
          ? `INSERT INTO ${table} (id, tenant_id, payload) VALUES ($1, $2, $3)`
          : `DELETE FROM ${table} WHERE id = $1`;
      name = `${operation} ${db.name}.${table}`;
    }
    const attributes: GeneratedAttribute[] = [
      attr('db.system', str(db.system)),
      attr('db.name', str(db.name)),
      attr('db.operation', str(operation)),
      attr('db.statement', str(statement)),
      attr('net.peer.name', str(`${db.system}-${service.name}.internal`)),
      attr('server.port', int(db.port)),
      attr('db.rows_affected', int(operation === 'SELECT' ? random.int(100) : 1)),
      ...context.common,
    ];
    context.out.push(this.span(context, this.newSpanId(), parentSpanId, name, 3, startOffsetNs, durationNs, attributes, 0, '',
      resource, scope));
  }

  private internalSpan(
    context: TraceContext,
    service: ServiceProfile,
    resource: GeneratedResource,
    parentSpanId: Uint8Array,
    startOffsetNs: number,
    durationNs: number,
  ): void {
    const random = this.random;
    const fn = ['authenticate', 'loadSession', 'renderTemplate', 'checkFeatureFlags'][random.int(4)]!;
    const attributes: GeneratedAttribute[] = [
      attr('code.function', str(fn)),
      attr('code.namespace', str(`${service.name}.handlers`)),
      attr('cache.hit', { kind: 'bool', value: random.chance(0.8) }),
      ...context.common,
    ];
    context.out.push(this.span(context, this.newSpanId(), parentSpanId, fn, 1, startOffsetNs, durationNs, attributes, 0, '',
      resource, service.internalScope));
  }

  private span(
    context: TraceContext,
    spanId: Uint8Array,
    parentSpanId: Uint8Array | null,
    name: string,
    kind: OtlpSpanKind,
    startOffsetNs: number,
    durationNs: number,
    attributes: readonly GeneratedAttribute[],
    statusCode: OtlpStatusCode,
    statusMessage: string,
    resource: GeneratedResource,
    scope: GeneratedScope,
  ): GeneratedSpan {
    const startTimeNs = context.traceStartNs + BigInt(Math.round(startOffsetNs));
    const endTimeNs = startTimeNs + BigInt(Math.max(1000, Math.round(durationNs)));
    return {
      traceId: context.traceId,
      spanId,
      parentSpanId,
      name,
      kind,
      startTimeNs,
      endTimeNs,
      attributes,
      statusCode,
      statusMessage,
      resource,
      scope,
      traceStartNs: context.traceStartNs,
      rotatableUserIndex: context.rotatableUserIndex,
    };
  }

  private newSpanId(): Uint8Array {
    const id = new Uint8Array(8);
    this.random.fillNonZero(id);
    return id;
  }
}

/** `user-00042`: fixed width, so a load tool can rewrite the digits in place. */
export function formatUserId(index: number): string {
  return `user-${String(index).padStart(5, '0')}`;
}

export function formatTenantId(index: number): string {
  return `tenant-${String(index).padStart(3, '0')}`;
}
