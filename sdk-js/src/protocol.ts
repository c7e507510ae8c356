// The main thread <-> worker protocol (bergamot style). Requests carry an id; every reply
// echoes it with either `result` or `error: {name, code, message}`. Progress notes carry no id.

import type { CoreAskValue, CoreBusinessStatus, CoreKbInfo, CoreLanguageId, CoreRedaction } from './core-api.js';
import type { ShopLocalTime } from './business-hours.js';
import type { LoadedModel } from './models.js';
import type { TranslationValue } from './translation.js';

export interface InitPayload {
  /** The knowledge base's JSON text (fetched by the main thread). */
  kbText: string;
  /** Absolute URL of kefu-core.mjs (the Emscripten glue). */
  coreUrl: string;
  /** Absolute URL of kefu-core.wasm. */
  wasmUrl: string;
  /** Where to load the understanding models from; absent or null: none. */
  models?: { manifestUrl: string } | null;
  /**
   * Folder of ONNX Runtime Web's files (ort/ beside the worker), needed only for translation;
   * absent or null: no translation. Nothing is fetched from it until a translation is needed.
   */
  ortBaseUrl?: string | null;
}

/** What translation can do in this session (from the manifest; no model is fetched at init). */
export interface TranslationInfo {
  /** Languages with a model to and from English (English included); empty: no translation. */
  languages: string[];
  /** Why translation is off (no ORT folder, a malformed manifest entry, a core without translator). */
  error: WireError | null;
}
export interface InitResult {
  kb: CoreKbInfo;
  coreVersion: string;
  /** The models that passed the sha256 check and loaded. */
  models: LoadedModel[];
  /** One error per model (or manifest) that was skipped; the assistant works without it. */
  modelErrors: WireError[];
  translation: TranslationInfo;
}

export interface TranslatePayload {
  text: string;
  from: string;
  to: string;
  /** Formal register: on for text shown to the customer. */
  formal: boolean;
  beam?: number;
}

export interface RequestMap {
  init: { payload: InitPayload; result: InitResult };
  /** `original`: the customer's own words when `text` is their machine translation (retrieval
   *  reads `text`; the understanding models and hand-over rules read `original`). */
  ask: { payload: { text: string; locale: string; now: ShopLocalTime | null; original?: string }; result: CoreAskValue };
  redact: { payload: { text: string }; result: CoreRedaction };
  buildEscalation: { payload: { request: Record<string, unknown> }; result: Record<string, unknown> };
  businessStatus: { payload: { now: ShopLocalTime }; result: CoreBusinessStatus };
  reset: { payload: Record<string, never>; result: null };
  /** The language of a text; null when the language model is not loaded. */
  identify: { payload: { text: string }; result: CoreLanguageId | null };
  /** Loads ORT and the models of the route on first use (with `translation` progress notes). */
  translate: { payload: TranslatePayload; result: TranslationValue };
}
export type RequestType = keyof RequestMap;
export const REQUEST_TYPES: readonly RequestType[] = ['init', 'ask', 'redact', 'buildEscalation', 'businessStatus', 'reset', 'identify', 'translate'];

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

/**
 * Download progress of one file; `total` is null when the server sent no Content-Length.
 * `translation`: ONNX Runtime and the translation models, loaded/total summed over every file.
 */
export interface ProgressEvent {
  file: 'kb' | 'wasm' | 'langid' | 'nlu' | 'translation';
  loaded: number;
  total: number | null;
}
