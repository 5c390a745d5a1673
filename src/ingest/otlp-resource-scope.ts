import type { AttributeList } from '../core/attribute-value.js';
import { INGEST_LIMITS } from '../core/limits/ingest-limits.js';
import { attributeSizeProblem, datasetForService, liftServiceName, UNKNOWN_SERVICE, type OtlpDecodeOptions } from './otlp-event-mapping.js';

/**
 * The resource and instrumentation scope the events being decoded belong to, shared by the spans,
 * logs and metrics builders: service.name lifted out of the resource into the column and the
 * dataset (or the x-honeycomb-dataset override), the scope as library.name / library.version, the
 * two attribute layers every event of them shares, and whether those layers break a limit.
 */
export class OtlpResourceScope {
  private readonly datasetOverride: string | null;
  resourceLayer: AttributeList = { keys: [], kinds: [], values: [] };
  scopeLayer: AttributeList = { keys: [], kinds: [], values: [] };
  serviceName = UNKNOWN_SERVICE;
  dataset = UNKNOWN_SERVICE;
  libraryName: string | null = null;
  libraryVersion: string | null = null;
  /** Why the current resource's (scope's) attributes break a limit, or null. */
  private resourceProblem: string | null = null;
  private scopeProblem: string | null = null;

  constructor(options: OtlpDecodeOptions) {
    this.datasetOverride = options.datasetOverride ?? null;
  }

  beginResource(attributes: AttributeList): void {
    const { layer, serviceName } = liftServiceName(attributes);
    this.resourceLayer = layer;
    this.resourceProblem = attributeSizeProblem(layer, 'resource ');
    this.serviceName = serviceName;
    this.dataset = this.datasetOverride ?? datasetForService(serviceName);
  }

  beginScope(name: string, version: string, attributes: AttributeList): void {
    this.libraryName = name === '' ? null : name;
    this.libraryVersion = version === '' ? null : version;
    this.scopeLayer = attributes;
    this.scopeProblem = attributeSizeProblem(attributes, 'scope ');
  }

  /** Attributes the resource and scope give every event. */
  get sharedAttributeCount(): number {
    return this.resourceLayer.keys.length + this.scopeLayer.keys.length;
  }

  /**
   * Whether an event with these own attributes (after the resource's and scope's, `count` in all)
   * breaks an ingest limit: the reason, or null. `what` names the event in the message.
   */
  limitProblem(own: AttributeList, count: number, what: string): string | null {
    const problem = this.resourceProblem ?? this.scopeProblem ?? attributeSizeProblem(own, '');
    if (problem !== null) return problem;
    const max = INGEST_LIMITS.attributesPerEvent.value;
    return count > max ? `has ${count} attributes (resource, scope and its own); at most ${max} are accepted per ${what}` : null;
  }
}
