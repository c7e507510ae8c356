// Types of the wasm core's JS API (Embind; see contracts.md) and of the values it returns.
// Field names stay snake_case here because they are the core's JSON; the SDK's public API
// converts them to camelCase.

import { errorFromStatus } from './errors.js';

export type CoreStatus<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export type CoreDecision = 'answer' | 'clarify' | 'escalate';
export type CoreReason =
  | 'matched'
  | 'ambiguous'
  | 'no_match'
  | 'no_match_twice'
  | 'customer_request'
  | 'negative_sentiment'
  | 'urgent'
  | 'out_of_scope'
  | 'ambiguous_intent'
  | 'intent_matched';

export type CoreEntityType = 'order_number' | 'tracking_number' | 'email' | 'phone' | 'country' | 'amount';

/** An entity found in a message. */
export interface CoreEntity {
  type: CoreEntityType;
  /** The text as written. */
  text: string;
  /** Normalised value: "A1234" for "#A1234", "+34612345678", ISO country code, ... */
  value: string;
  /** UTF-16 offsets into the message. */
  start: number;
  end: number;
  amount?: number;
  currency?: string;
}

/** What the understanding models say about one message; fields of models not loaded are absent. */
export interface CoreAnalysis {
  lang?: string;
  lang_confidence?: number;
  intent?: string;
  confidence?: number;
  top?: { intent: string; score: number }[];
  sentiment?: 'negative' | 'neutral' | 'positive';
  sentiment_confidence?: number;
  urgency?: 'low' | 'normal' | 'high' | 'urgent';
  urgency_confidence?: number;
  entities: CoreEntity[];
}

export interface CoreLanguageId {
  lang: string;
  lang_confidence: number;
  entities: CoreEntity[];
}

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
  /** The understanding models' analysis of the message (present in cores with models). */
  understanding?: CoreAnalysis;
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
  /** Replaces the language-id model; a failed load keeps the previous one. */
  loadLanguageModel(bytes: Uint8Array): CoreStatus<null>;
  /** Replaces the intent/sentiment/urgency model; a failed load keeps the previous one. */
  loadIntentModel(bytes: Uint8Array): CoreStatus<null>;
  identifyLanguage(text: string): CoreStatus<CoreLanguageId>;
  analyze(text: string): CoreStatus<CoreAnalysis>;
  ask(text: string, optionsJsonText: string): CoreStatus<CoreAskValue>;
  resetConversation(): CoreStatus<unknown> | void;
  redact(text: string): CoreStatus<CoreRedaction>;
  buildEscalation(requestJsonText: string): CoreStatus<Record<string, unknown>>;
  businessStatus(nowJsonText: string): CoreStatus<CoreBusinessStatus>;
  /**
   * Translator (docs/core.md "Translator"; absent in cores built before translation): loads the
   * SentencePiece model of the pair English-`language` and its lexical shortlist (or undefined).
   */
  loadTranslationModel?(language: string, spmBytes: Uint8Array, shortlistBytes: Uint8Array | undefined): CoreStatus<null>;
  /** Starts translating `text`; the caller runs the networks (sdk-js/src/translation.ts). */
  beginTranslation?(text: string, from: string, to: string, options: { formal: boolean; beam: number }): CoreStatus<CoreTranslationJob> | CoreTranslationJob;
  delete(): void;
}

/** One translation in progress: the core tokenises and searches, the SDK runs the ONNX networks. */
export interface CoreTranslationJob {
  /** The current batch's encoder `src` ids, row-major [rows, cols] (new whenever position is 0). */
  encoderInput(): { rows: number; cols: number; ids: Int32Array; outputIds: Int32Array };
  done(): boolean;
  /** How many batches of sentences (sorted by length) the job decodes, one after the other. */
  batches(): number;
  /** The decoder's inputs for the next step ([N] each; `position` is the step in the batch: 0
   *  starts a batch, with a fresh encoder run and an empty cache). */
  stepInput(): { tokens: Int32Array; reorder: Int32Array; rowSrc: Int32Array; position: number };
  /** Hands the decoder's logits [rows, vocab] back; the search picks the next tokens. */
  advance(logits: Float32Array, rows: number): CoreStatus<null> | void;
  result(): CoreStatus<CoreTranslationResult> | CoreTranslationResult;
  delete(): void;
}

export interface CoreTranslationResult {
  text: string;
  segments?: unknown[];
  protected?: unknown[];
  truncated?: boolean;
  missingPlaceholders?: number;
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
