// The response library's placeholders and how a template becomes a reply.

/** Every placeholder a template may use. */
export const PLACEHOLDERS = ['firstName', 'lastName', 'fullName', 'handle', 'agentName', 'caseNumber', 'brandName', 'brandHandle'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Record<Placeholder, string>;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The placeholders of a text that are not known, in order of appearance, each once. */
export function unknownPlaceholders(text: string): string[] {
  const known = new Set<string>(PLACEHOLDERS);
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((p) => !known.has(p)))];
}

/** Reply length as the channels count it here: Unicode code points (an emoji is one). */
export function replyLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/**
 * The text with each placeholder replaced by its value.
 * Usage: `render('Hi {firstName}, {agentName} here.', values)` -> `'Hi Chad, Dana here.'`
 */
export function render(text: string, values: PlaceholderValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in values ? values[name as Placeholder] : whole));
}

/** The case number agents quote for an interaction: the first 8 characters of its id, upper case. */
export function caseNumberOf(interactionId: string): string {
  return interactionId.slice(0, 8).toUpperCase();
}
