import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WaggleError } from '../../core/errors.js';
import { SAVED_LIMITS } from '../../core/limits/saved-limits.js';
import { writeFileDurably } from './durable-file-writer.js';

/**
 * A small durable collection of JSON documents (saved queries, query annotations, boards): held in
 * memory and written to one file per collection (durable-file-writer: temp, fsync, rename, with
 * async I/O off the event loop). A change resolves once it is on disk; when the write fails (a full
 * disk: UnavailableError, 503) the change is undone in memory too, so what is served stays what
 * is stored. Kept forever; meant for thousands of documents, not millions.
 */
export class JsonCollectionStore<T extends { id: string }> {
  private readonly documents = new Map<string, T>();
  private writing: Promise<void> = Promise.resolve();
  /** Length of the JSON last written (or read): what the collection holds. */
  private jsonChars = 0;

  private constructor(
    private readonly file: string,
    private readonly name: string,
    private readonly maxJsonChars: number | null,
  ) {}

  /**
   * `bounded`: a change that would take the collection's JSON past saved.collectionBytes is
   * refused (409) and undone; for collections clients fill (boards, saved queries, markers, ...),
   * not for those Waggle writes itself.
   */
  static open<T extends { id: string }>(dir: string, name: string, options: { bounded?: boolean } = {}): JsonCollectionStore<T> {
    fs.mkdirSync(dir, { recursive: true });
    const store = new JsonCollectionStore<T>(path.join(dir, `${name}.json`), name, options.bounded === true ? SAVED_LIMITS.collectionBytes.value : null);
    if (fs.existsSync(store.file)) {
      const text = fs.readFileSync(store.file, 'utf8');
      store.jsonChars = text.length;
      const parsed = JSON.parse(text) as T[];
      for (const document of parsed) store.documents.set(document.id, document);
    }
    return store;
  }

  static newId(): string {
    return crypto.randomBytes(6).toString('base64url');
  }

  get(id: string): T | undefined {
    return this.documents.get(id);
  }

  list(filter: (document: T) => boolean = () => true): T[] {
    return [...this.documents.values()].filter(filter);
  }

  async put(document: T): Promise<T> {
    const previous = this.documents.get(document.id);
    this.documents.set(document.id, document);
    try {
      await this.persist();
    } catch (error) {
      if (this.documents.get(document.id) === document) {
        if (previous === undefined) this.documents.delete(document.id);
        else this.documents.set(document.id, previous);
      }
      throw error;
    }
    return document;
  }

  async delete(id: string): Promise<boolean> {
    const previous = this.documents.get(id);
    if (previous === undefined) return false;
    this.documents.delete(id);
    try {
      await this.persist();
    } catch (error) {
      if (!this.documents.has(id)) this.documents.set(id, previous);
      throw error;
    }
    return true;
  }

  private persist(): Promise<void> {
    const snapshot = JSON.stringify([...this.documents.values()]);
    // Only growth is refused: a collection over the bound (a smaller bound after an upgrade) can still shrink.
    if (this.maxJsonChars !== null && snapshot.length > this.maxJsonChars && snapshot.length > this.jsonChars) {
      return Promise.reject(new WaggleError('conflict', `the saved ${this.name} would take ${snapshot.length} bytes of JSON, more than Waggle keeps of them (saved.collectionBytes: ${this.maxJsonChars}); delete some first`));
    }
    const run = this.writing.then(async () => {
      await writeFileDurably(this.file, snapshot);
      this.jsonChars = snapshot.length;
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}
