// Local persistence: a Storage-shaped interface so tests and hosts can inject their own, and the
// names of every key the SDK writes (all under one per-site prefix so `reset` can erase them).

/** The subset of the Web Storage API the SDK uses. `localStorage` satisfies it. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** In-memory storage: used when `storage: 'memory'` or when localStorage is blocked. */
export class MemoryStorage implements KeyValueStorage {
  private readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.has(key) ? (this.map.get(key) as string) : null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, String(value));
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

/** Every key the SDK stores, for one site. `reset` removes exactly these. */
export function storageKeys(siteId: string) {
  const prefix = `kefu:${siteId}:`;
  return {
    outbox: `${prefix}outbox`,
    conversation: `${prefix}conversation`,
    transcript: `${prefix}transcript`,
    consent: `${prefix}consent`,
  } as const;
}
export type StorageKeys = ReturnType<typeof storageKeys>;

/**
 * Returns window.localStorage when it works. Private modes and sandboxed iframes throw on access;
 * then the SDK keeps state in memory for the page's lifetime instead of failing.
 */
export function defaultStorage(): KeyValueStorage {
  try {
    const storage = (globalThis as { localStorage?: KeyValueStorage }).localStorage;
    if (storage) {
      const probe = 'kefu:probe';
      storage.setItem(probe, '1');
      storage.removeItem(probe);
      return storage;
    }
  } catch {
    // fall through to memory
  }
  return new MemoryStorage();
}

export function readJson<T>(storage: KeyValueStorage, key: string, fallback: T): T {
  try {
    const text = storage.getItem(key);
    return text == null ? fallback : (JSON.parse(text) as T);
  } catch {
    return fallback;
  }
}

/** Writes JSON; returns false when the storage refused (quota, blocked) so callers can react. */
export function writeJson(storage: KeyValueStorage, key: string, value: unknown): boolean {
  try {
    storage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

export function removeKey(storage: KeyValueStorage, key: string): void {
  try {
    storage.removeItem(key);
  } catch {
    // nothing to erase if storage is unreachable
  }
}
