// The main thread <-> worker protocol (bergamot style). Requests carry an id; every reply
// echoes it with either `result` or `error: {name, code, message}`. Progress notes carry no id.

import type { CoreAskValue, CoreBusinessStatus, CoreKbInfo, CoreRedaction } from './core-api.js';
import type { ShopLocalTime } from './business-hours.js';
import type { LoadedModel } from './models.js';

export interface InitPayload {
  /** The knowledge base's JSON text (fetched by the main thread). */
  kbText: string;
  /** Absolute URL of kefu-core.mjs (the Emscripten glue). */
  coreUrl: string;
  /** Absolute URL of kefu-core.wasm. */
  wasmUrl: string;
  /** Where to load the understanding models from; absent or null: none. */
  models?: { manifestUrl: string } | null;
}
export interface InitResult {
  kb: CoreKbInfo;
  coreVersion: string;
  /** The models that passed the sha256 check and loaded. */
  models: LoadedModel[];
  /** One error per model (or manifest) that was skipped; the assistant works without it. */
  modelErrors: WireError[];
}

export interface RequestMap {
  init: { payload: InitPayload; result: InitResult };
  ask: { payload: { text: string; locale: string; now: ShopLocalTime | null }; result: CoreAskValue };
  redact: { payload: { text: string }; result: CoreRedaction };
  buildEscalation: { payload: { request: Record<string, unknown> }; result: Record<string, unknown> };
  businessStatus: { payload: { now: ShopLocalTime }; result: CoreBusinessStatus };
  reset: { payload: Record<string, never>; result: null };
}
export type RequestType = keyof RequestMap;
export const REQUEST_TYPES: readonly RequestType[] = ['init', 'ask', 'redact', 'buildEscalation', 'businessStatus', 'reset'];

export interface WorkerRequest<K extends RequestType = RequestType> {
  id: number;
  type: K;
  payload: RequestMap[K]['payload'];
}

export interface WireError {
  name: string;
  code: string;
  message: string;
}

export type WorkerReply =
  | { id: number; result: unknown }
  | { id: number; error: WireError }
  | { type: 'progress'; payload: ProgressEvent };

/** Download progress of one file; `total` is null when the server sent no Content-Length. */
export interface ProgressEvent {
  file: 'kb' | 'wasm' | 'langid' | 'nlu';
  loaded: number;
  total: number | null;
}
