/**
 * When the editor asks for completions while typing (without Ctrl+Space): while a word is being
 * written, and right after a place where a new word begins — a space, an opening parenthesis
 * (`P95(` wants a column), a comma, a dot that ends a prefix (`root.`).
 */
export function completesWhileTyping(textBefore: string, typedWord: string): boolean {
  if (typedWord !== '') return true;
  return /[\s(,]$/.test(textBefore);
}
