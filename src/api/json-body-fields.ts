import type { IncomingMessage } from 'node:http';
import { BadRequestError } from '../core/errors.js';
import { readJsonBody } from './http-io.js';

/** Largest JSON body of the catalog, column and marker endpoints: their documents are small. */
const MAX_JSON_BYTES = 256 * 1024;

/** A JSON object body, or 400 saying what it is instead. */
export async function readObjectBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJsonBody(req, MAX_JSON_BYTES);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestError('request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** An optional string field (null counts as absent); 400 naming the field when it is not a string or too long. */
export function optionalText(body: Record<string, unknown>, field: string, maxChars: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`${field}: must be a string`);
  if (value.length > maxChars) throw new BadRequestError(`${field}: at most ${maxChars} characters`);
  return value;
}

/** An optional boolean field; 400 naming the field otherwise. */
export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new BadRequestError(`${field}: must be true or false`);
  return value;
}

/** An optional integer field within [min, max]; 400 naming the field otherwise. */
export function optionalInteger(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new BadRequestError(`${field}: must be an integer from ${min} to ${max}`);
  }
  return value;
}
