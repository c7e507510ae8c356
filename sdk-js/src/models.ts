// The understanding models' manifest (models/manifest.json) and their integrity check, shared by
// the worker and the CLI. A model reaches the core only after its sha256 matched the manifest:
// the core checks its own format, but only the manifest says which file was shipped.

import { DataLossError, InvalidArgumentError, UnavailableError } from './errors.js';

/** `langid`: language identification; `nlu`: intent, sentiment and urgency. */
export type ModelName = 'langid' | 'nlu';
export const MODEL_NAMES: readonly ModelName[] = ['langid', 'nlu'];

/** One model as the manifest describes it; `file` is relative to the manifest. */
export interface ManifestEntry {
  name: ModelName;
  file: string;
  bytes: number;
  sha256: string;
  version: string;
}

/** A model that passed the check and was loaded into the core. */
export interface LoadedModel {
  name: ModelName;
  version: string;
  bytes: number;
  sha256: string;
}

/** A file path beside or below the manifest (no "..", no absolute path, no URL). */
export const RELATIVE_PATH = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The "models" array of manifest.json (every kind); InvalidArgumentError naming `where` otherwise. */
export function manifestModels(text: string, where: string): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidArgumentError(`${where}: not valid JSON (${(cause as Error).message})`);
  }
  const models = (json as { models?: unknown })?.models;
  if (!Array.isArray(models)) throw new InvalidArgumentError(`${where}: must be an object with a "models" array`);
  return models;
}

/**
 * Parses manifest.json. Entries with a name this SDK does not know are skipped (a newer
 * manifest may list more models). Throws InvalidArgumentError naming `where` and the field.
 */
export function parseManifest(text: string, where: string): ManifestEntry[] {
  const models = manifestModels(text, where);
  const entries: ManifestEntry[] = [];
  models.forEach((raw: unknown, index) => {
    const at = `${where}: models[${index}]`;
    const entry = raw as Record<string, unknown>;
    if (!entry || typeof entry !== 'object') throw new InvalidArgumentError(`${at}: must be an object`);
    if (!MODEL_NAMES.includes(entry.name as ModelName)) return;
    // No "..", no absolute path and no URL: a manifest only names files beside or below it.
    if (typeof entry.file !== 'string' || !RELATIVE_PATH.test(entry.file) || entry.file.split('/').includes('..')) {
      throw new InvalidArgumentError(`${at}.file: ${JSON.stringify(entry.file)} must be a relative path such as "nlu/kefu-nlu.bin"`);
    }
    if (typeof entry.sha256 !== 'string' || !SHA256_HEX.test(entry.sha256)) {
      throw new InvalidArgumentError(`${at}.sha256: must be 64 lower-case hex digits`);
    }
    if (!Number.isInteger(entry.bytes) || (entry.bytes as number) <= 0) {
      throw new InvalidArgumentError(`${at}.bytes: must be a positive integer`);
    }
    if (entries.some((seen) => seen.name === entry.name)) {
      throw new InvalidArgumentError(`${at}.name: "${entry.name as string}" is listed twice`);
    }
    entries.push({
      name: entry.name as ModelName,
      file: entry.file,
      bytes: entry.bytes as number,
      sha256: entry.sha256,
      version: typeof entry.version === 'string' ? entry.version : 'unknown',
    });
  });
  return entries;
}

/** Lower-case hex SHA-256 (Web Crypto: browsers in a secure context, workers, Node 20+). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) {
    throw new UnavailableError('crypto.subtle is not available (pages must be served over https to verify the models)');
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as BufferSource));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Throws DataLossError naming the file and both hashes unless `bytes` is the manifest's file. */
export async function verifyModel(entry: ManifestEntry, bytes: Uint8Array, where: string = entry.file): Promise<void> {
  const actual = await sha256Hex(bytes);
  if (actual === entry.sha256) return;
  throw new DataLossError(
    `${where}: sha256 mismatch: the file has ${actual} (${bytes.length} bytes), the manifest says ` +
      `${entry.sha256} (${entry.bytes} bytes); the file is corrupted or not the one the manifest describes`,
  );
}
