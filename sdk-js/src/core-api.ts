// Types of the wasm core's JS API (Embind; see contracts.md) and of the values it returns.
// Field names stay snake_case here because they are the core's JSON; the SDK's public API
// converts them to camelCase.

import { errorFromStatus } from './errors.js';

export type CoreStatus<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export type CoreDecision = 'answer' | 'clarify' | 'escalate';
export type CoreReason = 'matched' | 'ambiguous' | 'no_match' | 'no_match_twice' | 'customer_request';

export interface CoreCandidate {
  entry_id: string;
  intent: string;
  question: string;
  confidence: number;
}

export interface CoreAskValue {
  decision: CoreDecision;
  reason: CoreReason;
  entry_id?: string;
  intent?: string;
  score?: number;
  confidence?: number;
  answer?: { text: string; language: string };
  candidates?: CoreCandidate[];
}

export interface CoreKbInfo {
  shop_id: string;
  name: string;
  default_language: string;
  languages: string[];
  timezone: string;
  entries: number;
}

export interface CoreRedaction {
  text: string;
  redactions: { kind: 'email' | 'phone' | 'card' | 'iban'; start: number; end: number }[];
}

export interface CoreBusinessStatus {
  open: boolean;
  next_open?: { weekday: string; time: string };
  timezone: string;
}

export interface CoreAssistant {
  loadKnowledgeBase(kbJsonText: string): CoreStatus<CoreKbInfo>;
  ask(text: string, optionsJsonText: string): CoreStatus<CoreAskValue>;
  resetConversation(): CoreStatus<unknown> | void;
  redact(text: string): CoreStatus<CoreRedaction>;
  buildEscalation(requestJsonText: string): CoreStatus<Record<string, unknown>>;
  businessStatus(nowJsonText: string): CoreStatus<CoreBusinessStatus>;
  delete(): void;
}

export interface CoreModule {
  Assistant: new () => CoreAssistant;
  normalize(text: string): CoreStatus<string>;
  tokenize(text: string): CoreStatus<string[]>;
  version(): string;
}

export type CreateKefuCore = (options: {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
}) => Promise<CoreModule>;

/** Returns a core status's value or throws the matching KefuError (the one mapping point). */
export function unwrap<T>(status: CoreStatus<T> | undefined | null): T {
  if (!status || typeof status !== 'object') throw errorFromStatus({ code: 'internal', message: 'core returned no status' });
  if (status.ok) return status.value;
  throw errorFromStatus(status);
}
