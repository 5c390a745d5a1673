import type { AttributeList } from '../core/attribute-value.js';
import type { EventRecord } from '../core/event-record.js';
import { INGEST_LIMITS } from '../core/limits/ingest-limits.js';
import { AttributeShapeSharing } from './attribute-shape-sharing.js';

/**
 * Shares the strings of one body's events as they arrive from the decode worker. A structured
 * clone copies a string once per occurrence: every event's attribute keys, kinds and names came
 * over as strings of their own, and a 64 MB body's events took 58 MB in the worker but 151 MB
 * once copied (issue 9: peak RSS ≤ 1 GiB). Each string is replaced by the first copy seen of it,
 * so the others are young garbage instead of held until the commit. Layers with the same keys
 * and kinds share those arrays (AttributeShapeSharing), across messages too.
 */
export class DecodedEventInterner {
  private readonly strings = new Map<string, string>();
  /** Layers already interned, and what replaced them: one resource's layer is shared by the events of a message. */
  private readonly seenLayers = new WeakMap<AttributeList, AttributeList>();
  /** Keys arrays already interned (with their kinds): shared by the layers of one shape. */
  private readonly seenKeys = new WeakSet<string[]>();
  private readonly shapes = new AttributeShapeSharing();

  intern(value: string): string {
    if (value.length > INGEST_LIMITS.internedStringChars.value) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size < INGEST_LIMITS.internedStringsPerBody.value) this.strings.set(value, value);
    return value;
  }

  private internNullable<T extends string>(value: T | null): T | null {
    return value === null ? null : (this.intern(value) as T);
  }

  /** Replaces, in place, the strings of `events` (fields and attribute layers) by shared ones. */
  internEvents(events: readonly EventRecord[]): void {
    for (const event of events) {
      event.dataset = this.intern(event.dataset);
      event.name = this.internNullable(event.name);
      event.serviceName = this.internNullable(event.serviceName);
      event.kind = this.internNullable(event.kind);
      event.statusCode = this.internNullable(event.statusCode);
      event.statusMessage = this.internNullable(event.statusMessage);
      event.libraryName = this.internNullable(event.libraryName);
      event.libraryVersion = this.internNullable(event.libraryVersion);
      event.annotationType = this.internNullable(event.annotationType);
      // Each event has an array of its own (resource, scope and own layers): it may be changed.
      const layers = event.attributes as AttributeList[];
      for (let i = 0; i < layers.length; i++) layers[i] = this.internLayer(layers[i]!);
    }
  }

  /** The layer with its strings interned, and its keys and kinds arrays shared with earlier layers of the same shape. */
  private internLayer(layer: AttributeList): AttributeList {
    // One resource's layer is one object in a message: interned once, and replaced alike everywhere.
    const known = this.seenLayers.get(layer);
    if (known !== undefined) return known;
    const { keys, kinds, values } = layer;
    // Layers of one message share their keys and kinds arrays (AttributeShapeSharing): once is enough.
    if (!this.seenKeys.has(keys)) {
      this.seenKeys.add(keys);
      for (let i = 0; i < keys.length; i++) {
        keys[i] = this.intern(keys[i]!);
        kinds[i] = this.intern(kinds[i]!) as (typeof kinds)[number];
      }
    }
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value === 'string') values[i] = this.intern(value);
    }
    // Shared within a message already (one copy per message and shape): now across messages too.
    const shared = this.shapes.share(layer);
    this.seenLayers.set(layer, shared);
    return shared;
  }
}
