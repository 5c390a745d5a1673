import type { AttributeList } from '../core/attribute-value.js';

/** Shapes remembered per number of keys: spans of one request mostly come in a few shapes. */
const SHAPES_PER_LENGTH = 8;

/**
 * Lets the attribute layers of one request share their `keys` and `kinds` arrays: spans of the
 * same kind carry the same keys in the same order, so a 64 MB body's ~115 000 events had ~115 000
 * copies of a handful of arrays (~190 of the ~740 bytes an event held on the heap until its
 * commit; issue 9: peak RSS, and the GC pauses that held /healthz). A shared array is also copied
 * once per message by the decode worker's structured clone, not once per event. Layers are
 * read-only once decoded (AttributeList), so sharing is safe; values stay per event.
 */
export class AttributeShapeSharing {
  private readonly shapes: Array<Array<{ keys: string[]; kinds: AttributeList['kinds'] }> | undefined> = [];

  /** `layer`, or an equal layer whose keys and kinds arrays are those of an earlier one. */
  share(layer: AttributeList): AttributeList {
    const { keys, kinds } = layer;
    const count = keys.length;
    let candidates = this.shapes[count];
    if (candidates !== undefined) {
      for (let c = 0; c < candidates.length; c++) {
        const shape = candidates[c]!;
        if (shape.keys === keys) return layer;
        let i = 0;
        while (i < count && shape.keys[i] === keys[i] && shape.kinds[i] === kinds[i]) i++;
        if (i === count) return { keys: shape.keys, kinds: shape.kinds, values: layer.values };
      }
    } else {
      candidates = this.shapes[count] = [];
    }
    if (candidates.length >= SHAPES_PER_LENGTH) candidates.pop();
    candidates.unshift({ keys, kinds });
    return layer;
  }
}
