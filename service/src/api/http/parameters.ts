import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/**
 * How a parameter is documented when its zod schema reads it from URL text (an integer parsed from digits): the
 * OpenAPI generator puts this JSON schema in place of the text rule, and the two are declared side by side.
 */
export const asDocumented = z.registry<JsonSchema>();

/** A whole number from `min` to `max` as a URL carries it: digits only, documented as an integer. */
export function wholeNumber(min: number, max: number) {
  const schema = z
    .string()
    .regex(/^\d{1,15}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
  asDocumented.add(schema, { type: 'integer', minimum: min, maximum: max });
  return schema;
}

/** Free text in a URL, up to `max` characters: anything but NUL, which no stored value holds (see `requestLimits`). */
export const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the one character this rule is about
    .regex(/^[^\u0000]+$/, 'must not hold a NUL character');
