import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
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

  private constructor(private readonly file: string) {}

  static open<T extends { id: string }>(dir: string, name: string): JsonCollectionStore<T> {
    fs.mkdirSync(dir, { recursive: true });
    const store = new JsonCollectionStore<T>(path.join(dir, `${name}.json`));
    if (fs.existsSync(store.file)) {
      const parsed = JSON.parse(fs.readFileSync(store.file, 'utf8')) as T[];
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
    const run = this.writing.then(() => writeFileDurably(this.file, snapshot));
    this.writing = run.catch(() => undefined);
    return run;
  }
}
