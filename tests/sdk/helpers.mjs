// Shared paths for the SDK tests. The tests exercise the built SDK (sdk-js/dist), so run
// `npm run build` in sdk-js (or ./scripts/build.sh) first.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dist = join(root, 'sdk-js', 'dist');
export const fixtures = join(root, 'tests', 'fixtures');

/** Imports one of the DOM-free SDK modules built into sdk-js/dist/lib. */
export async function lib(name) {
  const file = join(dist, 'lib', `${name}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run ./scripts/build.sh (or npm run build in sdk-js)`);
  return import(pathToFileURL(file).href);
}

/** A localStorage stand-in that records writes and can be told to refuse them. */
export class TestStorage {
  constructor() {
    this.map = new Map();
    this.refuseWrites = false;
  }
  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  setItem(key, value) {
    if (this.refuseWrites) throw new Error('QuotaExceededError');
    this.map.set(key, String(value));
  }
  removeItem(key) {
    this.map.delete(key);
  }
}
