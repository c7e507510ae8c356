// The dedicated module worker that owns the wasm core. The page's main thread never runs the
// core: it sends {id, type, payload} and gets {id, result} or {id, error: {name, code, message}}.
// Network: this worker fetches kefu-core.wasm (and imports kefu-core.mjs) during `init` and
// nothing else; answering questions is local.

import { unwrap, type CoreAssistant, type CoreModule, type CreateKefuCore } from './core-api.js';
import { InvalidArgumentError, UnavailableError, invalidChoice, toKefuError } from './errors.js';
import { REQUEST_TYPES, type InitPayload, type InitResult, type RequestMap, type WorkerReply, type WorkerRequest } from './protocol.js';

interface WorkerScope {
  postMessage(message: WorkerReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

let core: CoreModule | null = null;
let assistant: CoreAssistant | null = null;

async function fetchWasm(url: string): Promise<Uint8Array> {
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
    scope.postMessage({ type: 'progress', payload: { file: 'wasm', loaded: bytes.length, total } });
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
    scope.postMessage({ type: 'progress', payload: { file: 'wasm', loaded, total } });
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

async function init(payload: InitPayload): Promise<InitResult> {
  if (typeof payload?.kbText !== 'string') throw new InvalidArgumentError('init.kbText: must be the knowledge base JSON text');
  if (!core) {
    // The wasm bytes are fetched here and handed over as wasmBinary: a module worker has no
    // importScripts, which the Emscripten 3.1.6 glue uses to detect a worker and find its files.
    const [wasmBinary, factory] = await Promise.all([
      fetchWasm(payload.wasmUrl),
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
  return { kb, coreVersion: core.version() };
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
