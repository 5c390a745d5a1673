import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A small durable collection of JSON documents (saved queries, query annotations, boards): held in
 * memory and written to one file per collection with write-to-temp, fsync, rename, so a crash
 * leaves either the old or the new file, never a torn one. Meant for thousands of documents, not
 * millions.
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
    this.documents.set(document.id, document);
    await this.persist();
    return document;
  }

  async delete(id: string): Promise<boolean> {
    const existed = this.documents.delete(id);
    if (existed) await this.persist();
    return existed;
  }

  private persist(): Promise<void> {
    const snapshot = JSON.stringify([...this.documents.values()]);
    const run = this.writing.then(() => {
      const temp = `${this.file}.tmp`;
      const fd = fs.openSync(temp, 'w');
      try {
        fs.writeSync(fd, snapshot);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, this.file);
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}
