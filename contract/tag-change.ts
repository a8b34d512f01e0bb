/** Which tags one list differs from another by: compared trimmed and case-insensitively, output as spelled. */

const tagKey = (tag: string): string => tag.trim().toLowerCase();

/** The tags of a list, one per key (the first spelling wins), empties dropped. */
function byKey(tags: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const tag of tags) {
    const key = tagKey(tag);
    if (key !== '' && !out.has(key)) out.set(key, tag.trim());
  }
  return out;
}

export interface TagChange {
  added: string[];
  removed: string[];
}

/** What changed from `before` to `after`: added as `after` spells them, removed as `before` did. */
export function tagChange(before: readonly string[], after: readonly string[]): TagChange {
  const was = byKey(before);
  const now = byKey(after);
  return {
    added: [...now].filter(([key]) => !was.has(key)).map(([, tag]) => tag),
    removed: [...was].filter(([key]) => !now.has(key)).map(([, tag]) => tag),
  };
}
