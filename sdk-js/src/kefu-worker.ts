// The dedicated module worker that owns the wasm core. The page's main thread never runs the
// core: it sends {id, type, payload} and gets {id, result} or {id, error: {name, code, message}}.
// Network: during `init` this worker fetches kefu-core.wasm (and imports kefu-core.mjs) and,
// unless disabled, models/manifest.json and the model files it lists; nothing else. Answering
// questions is local.

import { unwrap, type CoreAssistant, type CoreModule, type CreateKefuCore } from './core-api.js';
import { InvalidArgumentError, UnavailableError, invalidChoice, toKefuError } from './errors.js';
import { parseManifest, verifyModel, type LoadedModel, type ManifestEntry } from './models.js';
import {
  REQUEST_TYPES,
  type InitPayload,
  type InitResult,
  type ProgressEvent,
  type RequestMap,
  type WireError,
  type WorkerReply,
  type WorkerRequest,
} from './protocol.js';

interface WorkerScope {
  postMessage(message: WorkerReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

let core: CoreModule | null = null;
let assistant: CoreAssistant | null = null;

async function fetchBytes(url: string, file: ProgressEvent['file']): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (cause) {
    throw new UnavailableError(`could not fetch ${url}: ${(cause as Error).message}`);
  }
  if (!response.ok) throw new UnavailableError(`could not fetch ${url}: HTTP ${response.status}`);
  const total = Number(response.headers.get('Content-Length')) || null;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    scope.postMessage({ type: 'progress', payload: { file, loaded: bytes.length, total } });
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    scope.postMessage({ type: 'progress', payload: { file, loaded, total } });
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
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
async function fetchModels(manifestUrl: string): Promise<FetchedModel[]> {
  let entries: ManifestEntry[];
  try {
    let response: Response;
    try {
      response = await fetch(manifestUrl, { credentials: 'same-origin' });
    } catch (cause) {
      throw new UnavailableError(`models: could not fetch ${manifestUrl}: ${(cause as Error).message}`);
    }
    if (!response.ok) throw new UnavailableError(`models: could not fetch ${manifestUrl}: HTTP ${response.status}`);
    entries = parseManifest(await response.text(), `models: ${manifestUrl}`);
  } catch (cause) {
    return [{ error: wireError(cause) }];
  }
  return Promise.all(
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
  return { models, modelErrors };
}

async function init(payload: InitPayload): Promise<InitResult> {
  if (typeof payload?.kbText !== 'string') throw new InvalidArgumentError('init.kbText: must be the knowledge base JSON text');
  const manifestUrl = payload.models?.manifestUrl;
  if (manifestUrl != null && typeof manifestUrl !== 'string') throw new InvalidArgumentError('init.models.manifestUrl: must be a URL string');
  // Downloaded alongside the wasm; handed to the core only once it runs and the KB is loaded.
  const modelsFetched: Promise<FetchedModel[]> = manifestUrl ? fetchModels(manifestUrl) : Promise.resolve([]);
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
  return { kb, coreVersion: core.version(), ...loadModels(assistant, await modelsFetched) };
}

function requireAssistant(): CoreAssistant {
  if (!assistant) throw new UnavailableError('the assistant is not initialised (send init first)');
  return assistant;
}

type Handlers = { [K in keyof RequestMap]: (payload: RequestMap[K]['payload']) => Promise<RequestMap[K]['result']> | RequestMap[K]['result'] };

const handlers: Handlers = {
  init,
  ask: ({ text, locale, now }) =>
    unwrap(requireAssistant().ask(text, JSON.stringify(now ? { locale, now } : { locale }))),
  redact: ({ text }) => unwrap(requireAssistant().redact(text)),
  buildEscalation: ({ request }) => unwrap(requireAssistant().buildEscalation(JSON.stringify(request))),
  businessStatus: ({ now }) => unwrap(requireAssistant().businessStatus(JSON.stringify(now))),
  reset: () => {
    const status = requireAssistant().resetConversation();
    if (status && typeof status === 'object') unwrap(status);
    return null;
  },
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
