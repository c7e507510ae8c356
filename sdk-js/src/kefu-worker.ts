// The dedicated module worker that owns the wasm core. The page's main thread never runs the
// core: it sends {id, type, payload} and gets {id, result} or {id, error: {name, code, message}}.
// Network: during `init` this worker fetches kefu-core.wasm (and imports kefu-core.mjs) and,
// unless disabled, models/manifest.json and the understanding models it lists; nothing else.
// Answering questions is local. Translation models (manifest entries with `lazy: true`) and
// ONNX Runtime (ort/) are fetched, sha256-verified and cached only when the first translation is
// needed, from the same folder.

import { unwrap, type CoreAssistant, type CoreModule, type CreateKefuCore } from './core-api.js';
import { InvalidArgumentError, UnavailableError, invalidChoice, toKefuError } from './errors.js';
import { parseManifest, verifyModel, type LoadedModel, type ManifestEntry } from './models.js';
import {
  REQUEST_TYPES,
  type InitPayload,
  type InitResult,
  type ProgressEvent,
  type RequestMap,
  type TranslatePayload,
  type TranslationInfo,
  type WireError,
  type WorkerReply,
  type WorkerRequest,
} from './protocol.js';
import {
  TRANSLATION_FILE_ROLES,
  Translator,
  configureOrt,
  parseTranslationManifest,
  translationLanguages,
  translationRoute,
  type OrtModule,
  type TranslationEntry,
  type TranslationValue,
} from './translation.js';
import { fetchVerified, readBody, type CacheStorageLike, type VerifiedFileSpec } from './verified-fetch.js';

interface WorkerScope {
  postMessage(message: WorkerReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

let core: CoreModule | null = null;
let assistant: CoreAssistant | null = null;
let languageModelLoaded = false;

/** Translation state: entries from the manifest; ORT and the pairs are loaded on first use. */
const translation = {
  manifestUrl: null as string | null,
  ortBaseUrl: null as string | null,
  entries: [] as TranslationEntry[],
  translator: null as Promise<Translator> | null,
  /** One load per pair name; a failed load is forgotten so that a later request may retry. */
  pairs: new Map<string, Promise<void>>(),
  queue: Promise.resolve() as Promise<void>,
};

async function fetchBytes(url: string, file: ProgressEvent['file']): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (cause) {
    throw new UnavailableError(`could not fetch ${url}: ${(cause as Error).message}`);
  }
  if (!response.ok) throw new UnavailableError(`could not fetch ${url}: HTTP ${response.status}`);
  const total = Number(response.headers.get('Content-Length')) || null;
  let loaded = 0;
  return readBody(response, (bytes) => {
    loaded += bytes;
    scope.postMessage({ type: 'progress', payload: { file, loaded, total } });
  });
}

/** A model whose bytes passed the sha256 check, or why it was skipped. */
type FetchedModel = { entry: ManifestEntry; bytes: Uint8Array } | { error: WireError };

function wireError(cause: unknown): WireError {
  const error = toKefuError(cause);
  return { name: error.name, code: error.code, message: error.message };
}

/**
 * Downloads the manifest and every model it lists, verifying each against its sha256 before
 * anything reaches the core. Never rejects: a model that cannot be had is reported and skipped.
 */
async function fetchModels(manifestUrl: string): Promise<{ models: FetchedModel[]; translation: TranslationEntry[] | WireError }> {
  let entries: ManifestEntry[];
  let manifestText: string;
  try {
    let response: Response;
    try {
      response = await fetch(manifestUrl, { credentials: 'same-origin' });
    } catch (cause) {
      throw new UnavailableError(`models: could not fetch ${manifestUrl}: ${(cause as Error).message}`);
    }
    if (!response.ok) throw new UnavailableError(`models: could not fetch ${manifestUrl}: HTTP ${response.status}`);
    manifestText = await response.text();
    entries = parseManifest(manifestText, `models: ${manifestUrl}`);
  } catch (cause) {
    const error = wireError(cause);
    return { models: [{ error }], translation: error };
  }
  // Translation entries are lazy: only their descriptions are read now, no file is fetched.
  let translationEntries: TranslationEntry[] | WireError;
  try {
    translationEntries = parseTranslationManifest(manifestText, `models: ${manifestUrl}`);
  } catch (cause) {
    translationEntries = wireError(cause);
  }
  const models = await Promise.all(
    entries.map(async (entry): Promise<FetchedModel> => {
      const url = new URL(entry.file, manifestUrl).href;
      try {
        const bytes = await fetchBytes(url, entry.name);
        await verifyModel(entry, bytes, `models: ${url}`);
        return { entry, bytes };
      } catch (cause) {
        const error = toKefuError(cause);
        // fetchBytes names the URL itself; verifyModel too.
        return { error: wireError(error.message.includes(url) ? error : new UnavailableError(`models: ${url}: ${error.message}`)) };
      }
    }),
  );
  return { models, translation: translationEntries };
}

/** Hands verified models to the core; a model the core refuses is skipped (the previous one stays). */
function loadModels(target: CoreAssistant, fetched: FetchedModel[]): Pick<InitResult, 'models' | 'modelErrors'> {
  const models: LoadedModel[] = [];
  const modelErrors: WireError[] = [];
  for (const item of fetched) {
    if ('error' in item) {
      modelErrors.push(item.error);
      continue;
    }
    const { entry, bytes } = item;
    const status = entry.name === 'langid' ? target.loadLanguageModel(bytes) : target.loadIntentModel(bytes);
    try {
      unwrap(status);
      models.push({ name: entry.name, version: entry.version, bytes: bytes.length, sha256: entry.sha256 });
    } catch (cause) {
      const error = toKefuError(cause);
      modelErrors.push({ name: error.name, code: error.code, message: `models: ${entry.file}: the core refused it: ${error.message}` });
    }
  }
  languageModelLoaded = models.some((model) => model.name === 'langid');
  return { models, modelErrors };
}

/** What translation can do, decided at init from the manifest and the core; fetches nothing. */
function translationInfo(target: CoreAssistant, entries: TranslationEntry[] | WireError, ortBaseUrl: string | null): TranslationInfo {
  translation.entries = [];
  translation.translator = null;
  translation.pairs.clear();
  translation.ortBaseUrl = ortBaseUrl;
  if (!Array.isArray(entries)) return { languages: [], error: entries };
  if (!entries.length) return { languages: [], error: null };
  if (!ortBaseUrl) return { languages: [], error: null };
  if (!Translator.supported(target)) {
    return { languages: [], error: wireError(new UnavailableError('translation: this kefu-core build has no translator; answers stay in the knowledge base languages')) };
  }
  translation.entries = entries;
  return { languages: translationLanguages(entries), error: null };
}

function postTranslationProgress(loaded: number, total: number): void {
  scope.postMessage({ type: 'progress', payload: { file: 'translation', loaded, total } });
}

/** Cache Storage where the browser offers it (secure contexts); null in Node and when blocked. */
function cacheStorage(): CacheStorageLike | null {
  try {
    return ((globalThis as { caches?: CacheStorageLike }).caches ?? null) as CacheStorageLike | null;
  } catch {
    return null; // SecurityError in some sandboxed frames
  }
}

interface OrtFileList {
  files: Record<string, { bytes: number; sha256: string }>;
}

/**
 * Loads ONNX Runtime once: its file list (ort/files.json, written by the build), the verified
 * wasm binary (Cache Storage), then the ES module by dynamic import, configured for our folder.
 */
function loadTranslator(extra: VerifiedFileSpec[], extraDone: (bytes: Uint8Array[]) => Promise<void>): Promise<void> {
  const base = translation.ortBaseUrl as string;
  const load = async () => {
    const listUrl = new URL('files.json', base).href;
    let list: OrtFileList;
    try {
      const response = await fetch(listUrl, { credentials: 'same-origin', cache: 'no-cache' });
      if (!response.ok) throw new UnavailableError(`HTTP ${response.status}`);
      list = (await response.json()) as OrtFileList;
    } catch (cause) {
      throw new UnavailableError(`translation: could not fetch ${listUrl}: ${(cause as Error).message}`);
    }
    const wasm = list?.files?.['ort-wasm-simd-threaded.wasm'];
    if (!wasm || typeof wasm.sha256 !== 'string' || !Number.isInteger(wasm.bytes)) {
      throw new UnavailableError(`translation: ${listUrl} does not describe ort-wasm-simd-threaded.wasm`);
    }
    const wasmUrl = new URL('ort-wasm-simd-threaded.wasm', base).href;
    const mjsUrl = new URL('ort-wasm-simd-threaded.mjs', base).href;
    const [ortModule, fetched] = await Promise.all([
      import(/* webpackIgnore: true */ new URL('ort.wasm.min.mjs', base).href).catch((cause: Error) => {
        throw new UnavailableError(`translation: could not load ${new URL('ort.wasm.min.mjs', base).href}: ${cause.message}`);
      }) as Promise<OrtModule>,
      fetchVerified([{ url: wasmUrl, bytes: wasm.bytes, sha256: wasm.sha256 }, ...extra], {
        fetch: fetch.bind(globalThis),
        caches: cacheStorage(),
        onProgress: postTranslationProgress,
      }),
    ]);
    configureOrt(ortModule, { mjsUrl, wasmUrl, wasmBinary: fetched.bytes[0] });
    const translator = new Translator(ortModule, requireAssistant());
    translation.translator = Promise.resolve(translator);
    await extraDone(fetched.bytes.slice(1));
  };
  return load();
}

function pairSpecs(entry: TranslationEntry): VerifiedFileSpec[] {
  const manifestUrl = translation.manifestUrl as string;
  return TRANSLATION_FILE_ROLES.map((role) => ({ url: new URL(entry.files[role].file, manifestUrl).href, ...entry.files[role] }));
}

/**
 * Loads the pairs a route needs (and ORT with the first), each once; progress spans all files.
 * Calls are queued, so that two messages at once never load ORT or a pair twice.
 */
function ensurePairs(entries: TranslationEntry[]): Promise<Translator> {
  const next = translation.queue.then(() => loadPairs(entries));
  translation.queue = next.then(() => undefined, () => undefined);
  return next;
}

async function loadPairs(entries: TranslationEntry[]): Promise<Translator> {
  const manifestUrl = translation.manifestUrl as string;
  const missing = entries.filter((entry) => !translation.pairs.has(entry.name));
  if (missing.length) {
    const specs = missing.flatMap(pairSpecs);
    const addAll = async (bytes: Uint8Array[]) => {
      const translator = await (translation.translator as Promise<Translator>);
      for (const [index, entry] of missing.entries()) {
        const files = Object.fromEntries(TRANSLATION_FILE_ROLES.map((role, r) => [role, bytes[index * TRANSLATION_FILE_ROLES.length + r]])) as Record<(typeof TRANSLATION_FILE_ROLES)[number], Uint8Array>;
        await translator.addPair(entry, files, (role) => new URL(entry.files[role].file, manifestUrl).href);
      }
    };
    const load: Promise<void> = translation.translator
      ? fetchVerified(specs, { fetch: fetch.bind(globalThis), caches: cacheStorage(), onProgress: postTranslationProgress }).then((fetched) => addAll(fetched.bytes))
      : loadTranslator(specs, addAll);
    const guarded = load.catch((cause: unknown) => {
      for (const entry of missing) translation.pairs.delete(entry.name);
      throw cause;
    });
    for (const entry of missing) translation.pairs.set(entry.name, guarded);
  }
  await Promise.all(entries.map((entry) => translation.pairs.get(entry.name)));
  return translation.translator as Promise<Translator>;
}

async function translate({ text, from, to, formal, beam }: TranslatePayload): Promise<TranslationValue> {
  requireAssistant();
  if (typeof text !== 'string' || !text.trim()) throw new InvalidArgumentError('translate.text: must be a non-empty string');
  if (!translation.entries.length) throw new UnavailableError('translation is not available (no translation models in the manifest, or no ONNX Runtime folder)');
  const route = translationRoute(translation.entries, from, to);
  const translator = await ensurePairs(route.map((hop) => hop.entry));
  return translator.translate(text, route, { formal: !!formal, beam });
}

/**
 * The core builds the escalation from role/text/at and drops anything else; a line's
 * `translation` ({text, language}: the customer's words in the agent's language, or the original
 * of a machine-translated answer) is put back here, redacted by the same core.
 */
function addTranslations(request: Record<string, unknown>, payload: Record<string, unknown>, target: CoreAssistant): Record<string, unknown> {
  const lines = request.transcript as { translation?: { text?: unknown; language?: unknown } }[] | undefined;
  const out = payload.transcript as Record<string, unknown>[] | undefined;
  if (!Array.isArray(lines) || !Array.isArray(out) || lines.length !== out.length) return payload;
  const counts = ((payload.redaction as { counts?: Record<string, number> } | undefined)?.counts ?? null) as Record<string, number> | null;
  lines.forEach((line, index) => {
    const t = line?.translation;
    if (!t || typeof t.text !== 'string' || !t.text || typeof t.language !== 'string' || out[index].translation !== undefined) return;
    const redacted = unwrap(target.redact(t.text));
    for (const item of redacted.redactions) if (counts && typeof counts[item.kind] === 'number') counts[item.kind]++;
    out[index].translation = { text: redacted.text, language: t.language, machine: true };
  });
  return payload;
}


async function init(payload: InitPayload): Promise<InitResult> {
  if (typeof payload?.kbText !== 'string') throw new InvalidArgumentError('init.kbText: must be the knowledge base JSON text');
  const manifestUrl = payload.models?.manifestUrl;
  if (manifestUrl != null && typeof manifestUrl !== 'string') throw new InvalidArgumentError('init.models.manifestUrl: must be a URL string');
  // Downloaded alongside the wasm; handed to the core only once it runs and the KB is loaded.
  const modelsFetched = manifestUrl ? fetchModels(manifestUrl) : Promise.resolve({ models: [] as FetchedModel[], translation: [] as TranslationEntry[] });
  translation.manifestUrl = manifestUrl ?? null;
  const ortBaseUrl = typeof payload.ortBaseUrl === 'string' && payload.ortBaseUrl ? payload.ortBaseUrl : null;
  if (!core) {
    // The wasm bytes are fetched here and handed over as wasmBinary: a module worker has no
    // importScripts, which the Emscripten 3.1.6 glue uses to detect a worker and find its files.
    const [wasmBinary, factory] = await Promise.all([
      fetchBytes(payload.wasmUrl, 'wasm'),
      import(/* webpackIgnore: true */ payload.coreUrl).then(
        (module: { default: CreateKefuCore }) => module.default,
        (cause: Error) => {
          throw new UnavailableError(`could not load ${payload.coreUrl}: ${cause.message}`);
        },
      ),
    ]);
    try {
      core = await factory({ wasmBinary });
    } catch (cause) {
      throw new UnavailableError(`could not start the wasm core: ${(cause as Error)?.message ?? String(cause)}`);
    }
  }
  if (assistant) assistant.delete();
  assistant = new core.Assistant();
  const kb = unwrap(assistant.loadKnowledgeBase(payload.kbText));
  const fetched = await modelsFetched;
  return {
    kb,
    coreVersion: core.version(),
    ...loadModels(assistant, fetched.models),
    translation: translationInfo(assistant, fetched.translation, ortBaseUrl),
  };
}

function requireAssistant(): CoreAssistant {
  if (!assistant) throw new UnavailableError('the assistant is not initialised (send init first)');
  return assistant;
}

type Handlers = { [K in keyof RequestMap]: (payload: RequestMap[K]['payload']) => Promise<RequestMap[K]['result']> | RequestMap[K]['result'] };

const handlers: Handlers = {
  init,
  ask: ({ text, locale, now, original }) =>
    unwrap(requireAssistant().ask(text, JSON.stringify({ locale, ...(now ? { now } : {}), ...(original !== undefined ? { original } : {}) }))),
  redact: ({ text }) => unwrap(requireAssistant().redact(text)),
  buildEscalation: ({ request }) => {
    const target = requireAssistant();
    return addTranslations(request, unwrap(target.buildEscalation(JSON.stringify(request))), target);
  },
  businessStatus: ({ now }) => unwrap(requireAssistant().businessStatus(JSON.stringify(now))),
  reset: () => {
    const status = requireAssistant().resetConversation();
    if (status && typeof status === 'object') unwrap(status);
    return null;
  },
  identify: ({ text }) => (languageModelLoaded ? unwrap(requireAssistant().identifyLanguage(text)) : null),
  translate,
};

scope.addEventListener('message', (event) => {
  const { id, type, payload } = event.data ?? ({} as WorkerRequest);
  void (async () => {
    try {
      if (!REQUEST_TYPES.includes(type)) throw invalidChoice('request type', type, REQUEST_TYPES);
      const handler = handlers[type] as (payload: unknown) => unknown;
      const result = await handler(payload);
      scope.postMessage({ id, result });
    } catch (cause) {
      const error = toKefuError(cause);
      scope.postMessage({ id, error: { name: error.name, code: error.code, message: error.message } });
    }
  })();
});
