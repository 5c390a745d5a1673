/**
 * Which member of an AnyValue's oneof a decoder last read into its scratch slot. Plain numbers
 * (not an enum object) so the decoders' hot loops compare small integers.
 */
export const VALUE_NONE = 0;
export const VALUE_STRING = 1;
export const VALUE_BOOL = 2;
export const VALUE_INT = 3;
export const VALUE_DOUBLE = 4;
/** Arrays and key-value lists, already rendered as their JSON text. */
export const VALUE_TEXT = 5;
/** Bytes: base64 at the top level, a quoted base64 string when nested. */
export const VALUE_BYTES = 6;
