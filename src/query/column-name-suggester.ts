/**
 * Optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions), the
 * measure behind "did you mean": `usr.id` is 1 from `user.id`, `sevrice.name` 1 from `service.name`.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j]!;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The closest known name within a third of the typed length (at least 2 edits), or undefined. */
export function suggestColumnName(typed: string, known: readonly string[]): string | undefined {
  const budget = Math.max(2, Math.floor(typed.length / 3));
  const lowered = typed.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    // Case differences are the most likely slip: count them as half an edit.
    const distance = name === typed ? 0 : Math.min(editDistance(lowered, name.toLowerCase()) + 0.5, editDistance(typed, name));
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && name < best)) {
      best = name;
      bestDistance = distance;
    }
  }
  return bestDistance <= budget ? best : undefined;
}
