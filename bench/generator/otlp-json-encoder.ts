import type { EncodedRequest } from './encoded-request.js';
import type { GeneratedAttribute, GeneratedSpan } from './generated-span.js';
import { groupSpansByResourceAndScope } from './span-grouping.js';

/**
 * Encodes spans as OTLP/JSON with the field set and value forms of the OpenTelemetry JS SDK's
 * JsonTraceSerializer (hex ids, nanoseconds as decimal strings, integer enums). Built as text
 * rather than through JSON.stringify so the offsets of ids and times can be recorded.
 */
export function encodeJsonRequest(spans: readonly GeneratedSpan[]): EncodedRequest {
  const parts: string[] = [];
  let length = 0;
  const push = (text: string): void => {
    parts.push(text);
    length += text.length;
  };
  const count = spans.length;
  const traceId = new Int32Array(count);
  const spanId = new Int32Array(count);
  const parentSpanId = new Int32Array(count);
  const startTime = new Int32Array(count);
  const endTime = new Int32Array(count);
  const userDigits: number[] = [];
  let index = 0;

  push('{"resourceSpans":[');
  groupSpansByResourceAndScope(spans).forEach((group, groupIndex) => {
    if (groupIndex > 0) push(',');
    push(`{"resource":{"attributes":${attributesJson(group.resource.attributes)},"droppedAttributesCount":0},"scopeSpans":[`);
    group.scopes.forEach((scopeGroup, scopeIndex) => {
      if (scopeIndex > 0) push(',');
      const scope = scopeGroup.scope;
      push(`{"scope":{"name":${JSON.stringify(scope.name)}${scope.version === '' ? '' : `,"version":${JSON.stringify(scope.version)}`}},"spans":[`);
      scopeGroup.spans.forEach((span, spanIndex) => {
        if (spanIndex > 0) push(',');
        push('{"traceId":"');
        traceId[index] = length;
        push(Buffer.from(span.traceId).toString('hex'));
        push('","spanId":"');
        spanId[index] = length;
        push(Buffer.from(span.spanId).toString('hex'));
        if (span.parentSpanId !== null) {
          push('","parentSpanId":"');
          parentSpanId[index] = length;
          push(Buffer.from(span.parentSpanId).toString('hex'));
        } else {
          parentSpanId[index] = -1;
        }
        push(`","name":${JSON.stringify(span.name)},"kind":${span.kind},"startTimeUnixNano":"`);
        startTime[index] = length;
        push(nanosText(span.startTimeNs));
        push('","endTimeUnixNano":"');
        endTime[index] = length;
        push(nanosText(span.endTimeNs));
        push('","attributes":[');
        span.attributes.forEach((attribute, attributeIndex) => {
          if (attributeIndex > 0) push(',');
          if (attribute.key === 'user.id' && span.rotatableUserIndex >= 0 && attribute.value.kind === 'string') {
            push('{"key":"user.id","value":{"stringValue":"user-');
            userDigits.push(length);
            push(`${attribute.value.value.slice('user-'.length)}"}}`);
          } else {
            push(keyValueJson(attribute));
          }
        });
        const status = span.statusMessage === ''
          ? `{"code":${span.statusCode}}`
          : `{"code":${span.statusCode},"message":${JSON.stringify(span.statusMessage)}}`;
        push(`],"droppedAttributesCount":0,"events":[],"droppedEventsCount":0,"status":${status},"links":[],"droppedLinksCount":0,"flags":257}`);
        index += 1;
      });
      push(']}');
    });
    push(']}');
  });
  push(']}');

  const text = parts.join('');
  const body = Buffer.from(text, 'utf8');
  // Offsets were counted in UTF-16 units; they are byte offsets only for ASCII text.
  if (body.length !== text.length) throw new Error('the JSON encoder records offsets for ASCII text only');
  return {
    encoding: 'json',
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    spanCount: count,
    patchPoints: { traceId, spanId, parentSpanId, startTime, endTime, userDigits: Int32Array.from(userDigits) },
  };
}

function nanosText(ns: bigint): string {
  const text = ns.toString();
  // Fixed width keeps in-place patching possible (true from 2001 to 2286).
  if (text.length !== 19) throw new Error(`timestamp ${text} is not 19 digits`);
  return text;
}

function attributesJson(attributes: readonly GeneratedAttribute[]): string {
  return `[${attributes.map(keyValueJson).join(',')}]`;
}

function keyValueJson(attribute: GeneratedAttribute): string {
  const value = attribute.value;
  let any: string;
  switch (value.kind) {
    case 'string':
      any = `{"stringValue":${JSON.stringify(value.value)}}`;
      break;
    case 'int':
      any = `{"intValue":${value.value}}`;
      break;
    case 'double':
      any = `{"doubleValue":${JSON.stringify(value.value)}}`;
      break;
    case 'bool':
      any = `{"boolValue":${value.value}}`;
      break;
  }
  return `{"key":${JSON.stringify(attribute.key)},"value":${any}}`;
}
