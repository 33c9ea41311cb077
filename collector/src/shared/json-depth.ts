/** How deep a request's JSON may nest: our deepest body (a beacon's event data) needs 6 levels. */
export const maxJsonDepth = 32;

/**
 * True when `text` opens more than `max` arrays or objects inside each other. One pass over the
 * characters, strings skipped, nothing allocated: it runs before JSON.parse, whose cost on deep
 * nesting is far higher (1 MB of `[` took 140–280 ms to refuse), so a hostile body is turned
 * away for the price of reading it. Malformed JSON is left for the parser to refuse.
 */
export function jsonDeeperThan(text: string, max: number): boolean {
  // A text with no more than `max` openers in all cannot nest deeper: a beacon has a handful, and
  // counting them (native indexOf) costs a tenth of the scan below.
  if (openersAtMost(text, max)) return false;
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string: to the next quote that no backslash escapes.
      for (i++; i < length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/** True when `text` holds at most `max` of `[` and `{` together (in strings or not). */
function openersAtMost(text: string, max: number): boolean {
  let count = 0;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++count > max) return false;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++count > max) return false;
  return true;
}
