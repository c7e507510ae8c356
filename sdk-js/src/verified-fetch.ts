// Downloads of large, lazily needed files (ONNX Runtime's wasm, translation models): every file
// is checked against its sha256 before use, both when it comes from the network and when it comes
// from Cache Storage. A cached file that fails the check is evicted and fetched again, once.
// Progress is reported as bytes loaded / total across all files of one request.

import { DataLossError, UnavailableError } from './errors.js';
import { sha256Hex } from './models.js';

/** Cache Storage name; bump the version when the cached layout changes (old caches are deleted). */
export const TRANSLATION_CACHE = 'kefu-translation-v1';
const CACHE_PREFIX = 'kefu-translation-';

/** One file to download: its absolute URL and what the manifest says about it. */
export interface VerifiedFileSpec {
  url: string;
  bytes: number;
  sha256: string;
}

/** The part of the Cache Storage API used here (globalThis.caches in browsers; absent in Node). */
export interface CacheLike {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
  delete(request: string): Promise<boolean>;
}
export interface CacheStorageLike {
  open(name: string): Promise<CacheLike>;
  keys?(): Promise<string[]>;
  delete?(name: string): Promise<boolean>;
}

export interface VerifiedFetchOptions {
  fetch: typeof fetch;
  /** Cache Storage, or null (Node, insecure contexts, blocked storage): always download. */
  caches: CacheStorageLike | null;
  /** Bytes loaded so far and the total over all files (from the manifest sizes). */
  onProgress?: (loaded: number, total: number) => void;
}

/** Where the file came from, for tests and logs. */
export type FileSource = 'network' | 'cache';

/** The mismatch message shared with the understanding models (models.ts verifyModel). */
function mismatch(spec: VerifiedFileSpec, actual: string, length: number, where: string): DataLossError {
  return new DataLossError(
    `${where}: sha256 mismatch: the file has ${actual} (${length} bytes), the manifest says ` +
      `${spec.sha256} (${spec.bytes} bytes); the file is corrupted or not the one the manifest describes`,
  );
}

async function openCache(caches: CacheStorageLike | null): Promise<CacheLike | null> {
  if (!caches) return null;
  try {
    const cache = await caches.open(TRANSLATION_CACHE);
    // Caches of earlier layouts are dead weight (tens of MB): drop them, quietly.
    if (caches.keys && caches.delete) {
      for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX) && name !== TRANSLATION_CACHE) void caches.delete(name).catch(() => {});
    }
    return cache;
  } catch {
    return null; // storage blocked (private mode, quota): download without caching
  }
}

/** A response body as bytes, calling `onChunk` with the size of each chunk as it arrives. */
export async function readBody(response: Response, onChunk: (bytes: number) => void): Promise<Uint8Array> {
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onChunk(bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
    onChunk(value.length);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * Fetches every file (in parallel), verified. Resolves with the bytes in `specs` order; rejects
 * with UnavailableError (network, HTTP status) or DataLossError (sha256 mismatch) naming the URL.
 */
export async function fetchVerified(specs: readonly VerifiedFileSpec[], options: VerifiedFetchOptions): Promise<{ bytes: Uint8Array[]; sources: FileSource[] }> {
  const total = specs.reduce((sum, spec) => sum + spec.bytes, 0);
  let loaded = 0;
  let reported = -1;
  const report = (force = false) => {
    // At most ~200 messages per download: every 0.5 % and at the end.
    if (!options.onProgress) return;
    if (!force && reported >= 0 && loaded - reported < total / 200 && loaded < total) return;
    reported = loaded;
    options.onProgress(Math.min(loaded, total), total);
  };
  report(true);
  const cache = await openCache(options.caches);
  const sources: FileSource[] = [];
  const bytes = await Promise.all(
    specs.map(async (spec, index) => {
      if (cache) {
        try {
          const cached = await cache.match(spec.url);
          if (cached) {
            const body = new Uint8Array(await cached.arrayBuffer());
            const actual = await sha256Hex(body);
            if (actual === spec.sha256) {
              loaded += spec.bytes;
              report();
              sources[index] = 'cache';
              return body;
            }
            // Corrupted on disk, or an older file under the same URL: evict, then download once.
            await cache.delete(spec.url).catch(() => false);
          }
        } catch {
          // an unreadable cache entry is the same as none
        }
      }
      let response: Response;
      try {
        response = await options.fetch(spec.url, { credentials: 'same-origin', cache: 'no-cache' });
      } catch (cause) {
        throw new UnavailableError(`could not fetch ${spec.url}: ${(cause as Error)?.message ?? String(cause)}`);
      }
      if (!response.ok) throw new UnavailableError(`could not fetch ${spec.url}: HTTP ${response.status}`);
      let counted = 0;
      const body = await readBody(response, (chunk) => {
        // A file longer than announced must not push the bar past 100 %.
        const add = Math.max(0, Math.min(chunk, spec.bytes - counted));
        counted += add;
        loaded += add;
        report();
      });
      loaded += spec.bytes - counted;
      const actual = await sha256Hex(body);
      if (actual !== spec.sha256) throw mismatch(spec, actual, body.length, spec.url);
      if (cache) {
        await cache
          .put(spec.url, new Response(body as BufferSource, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) } }))
          .catch(() => {}); // quota: works, just not cached
      }
      sources[index] = 'network';
      report();
      return body;
    }),
  );
  report(true);
  return { bytes, sources };
}
