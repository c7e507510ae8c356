// The assistant: one conversation with the shop. It owns the worker (and through it the wasm
// core), the local transcript, the escalation outbox and the live agent stream. The widget is a
// view of it; hosts can drive it directly through the ES module.

import { shopLocalTime, weekdayName, type ShopLocalTime, type Weekday } from './business-hours.js';
import type { CoreAskValue, CoreCandidate, CoreKbInfo, CoreReason } from './core-api.js';
import {
  InvalidArgumentError,
  KefuError,
  OutOfRangeError,
  UnavailableError,
  errorFromStatus,
  invalidChoice,
  toKefuError,
} from './errors.js';
import { Emitter } from './events.js';
import { format, resolveLanguage, stringsFor, type Language, type StringKey, type StringOverrides, type Strings } from './i18n.js';
import { Outbox, backoffDelay, type DeliveryResult, type EscalationReceipt } from './outbox.js';
import type { LoadedModel } from './models.js';
import type { InitResult, ProgressEvent, TranslationInfo } from './protocol.js';
import { PIVOT_LANGUAGE, type TranslationValue } from './translation.js';
import {
  MemoryStorage,
  defaultStorage,
  readJson,
  removeKey,
  storageKeys,
  writeJson,
  type KeyValueStorage,
  type StorageKeys,
} from './storage.js';
import {
  ORDER_LOOKUP_TIMEOUT_MS,
  languageToSwitchTo,
  orderLookupRequest,
  toUnderstanding,
  type OrderLookupHandler,
  type OrderLookupRequest,
  type Understanding,
} from './understanding.js';
import { WorkerClient, type WorkerLike } from './worker-client.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Longest customer message in characters; longer ones are refused before they reach the core. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 4000;
/** The core refuses texts over 10,000 UTF-8 bytes (CJK text reaches it before 4,000 characters). */
const CORE_MAX_BYTES = 10_000;
/** Transcript messages kept locally (oldest dropped first). */
const MAX_STORED_MESSAGES = 200;
/** Transcript messages sent with an escalation, and their total text budget in characters. */
const MAX_ESCALATION_MESSAGES = 50;
const MAX_ESCALATION_CHARS = 40_000;

export type StorageOption = 'local' | 'memory' | KeyValueStorage;
export const STORAGE_CHOICES = ['local', 'memory', '(an object with getItem/setItem/removeItem)'] as const;

export type EscalationReason = 'customer_request' | 'no_match_twice' | 'negative_sentiment' | 'urgent';
export const ESCALATION_REASONS: readonly EscalationReason[] = ['customer_request', 'no_match_twice', 'negative_sentiment', 'urgent'];

/** The escalation reason for an `ask` result that escalated (the core's reason when it is one). */
export function escalationReasonFor(reason: string): EscalationReason {
  return (ESCALATION_REASONS as readonly string[]).includes(reason) ? (reason as EscalationReason) : 'customer_request';
}

/** `models` option: `true` loads `baseUrl + 'models/manifest.json'`; `false` loads none. */
export type ModelsOption = boolean | { manifestUrl: string | URL };

export type AssistantStatus = 'loading' | 'ready' | 'degraded' | 'disposed';
/**
 * `off`: no translation (option off, no models, no translator in the core); `available`: models
 * listed, nothing loaded yet; `loading`: downloading; `ready`: loaded; `unavailable`: failed.
 */
export type TranslationState = 'off' | 'available' | 'loading' | 'ready' | 'unavailable';
export type MessageRole = 'customer' | 'assistant' | 'agent' | 'system';

/** One line of the conversation as the customer sees it. */
export interface Message {
  id: string;
  role: MessageRole;
  text: string;
  /** ISO 8601 time. */
  at: string;
  /** Agent's display name (agent messages). */
  author?: string;
  /** Server sequence number (agent messages and relayed customer messages). */
  seq?: number;
  /** Questions offered as buttons ("Did you mean…"); asking one of them asks again. */
  suggestions?: string[];
  /** The knowledge base's questions when `suggestions` are their machine translations. */
  suggestionOriginals?: string[];
  /** What produced an assistant/system message. */
  kind?: 'answer' | 'clarify' | 'miss' | 'handoff' | 'notice';
  /** The widget shows a "Talk to a person" button under this message (out-of-scope replies). */
  offerPerson?: boolean;
  /**
   * Set when `text` is a machine translation (an answer or an agent reply shown in the
   * customer's language): the text as written and its language. The widget marks the message
   * "Machine-translated" with a "Show original" toggle.
   */
  original?: { text: string; language: string };
  /**
   * Customer messages written in a language the knowledge base lacks: the machine translation
   * into the knowledge base's (and the agents') language. Sent with an escalation.
   */
  translation?: { text: string; language: string };
  /** Language of `text` when a translation is involved (the customer's language). */
  language?: string;
}

export interface Candidate {
  entryId: string;
  intent: string;
  question: string;
  confidence: number;
}

/** The outcome of `ask`. `relayed` means the text went to the person handling the conversation. */
export interface AskResult {
  decision: 'answer' | 'clarify' | 'escalate' | 'relayed';
  /** The core's reason; 'order_lookup' when the shop's orderLookup hook answered. */
  reason: CoreReason | 'conversation_open' | 'order_lookup';
  entryId: string | null;
  intent: string | null;
  score: number | null;
  confidence: number | null;
  /** The answer as shown; `original` is the KB's text when it was machine-translated for the customer. */
  answer: { text: string; language: string; original?: { text: string; language: string } } | null;
  candidates: Candidate[];
  /** The assistant message added to the transcript, if any. */
  reply: Message | null;
  /** What the understanding models said about the message (null without models, or relayed). */
  understanding: Understanding | null;
  /** Who produced the answer: the knowledge base, or the shop's orderLookup hook. */
  source: 'kb' | 'orderLookup' | null;
}

export interface Contact {
  email: string;
  /** Must be `true`: the e-mail address is only sent with the customer's explicit consent. */
  consent: true;
}

export interface EscalateOptions {
  /** Default `'customer_request'`. */
  reason?: EscalationReason;
  /** Optional e-mail contact; sent only with `consent: true`. */
  contact?: Contact | null;
  /** A customer message to add first (needed when the customer has not written anything yet). */
  message?: string | null;
}

export type EscalationOutcome =
  | { state: 'sent'; conversationId: string; duplicate: boolean }
  | { state: 'queued'; idempotencyKey: string; retryInMs: number; error: KefuError }
  | { state: 'already-open'; conversationId: string }
  | { state: 'already-queued'; idempotencyKey: string };

export interface BusinessStatus {
  open: boolean;
  /** When the team is next available (shop-local), absent when open or when no hours are set. */
  nextOpen: { weekday: Weekday; time: string } | null;
  timezone: string;
  /** Ready-made sentence in the customer's language, e.g. "Our team is back Monday at 09:00 (Europe/Berlin)." */
  text: string | null;
}

export type Progress =
  | { status: 'progress'; file: ProgressEvent['file']; loaded: number; total: number | null }
  | { status: 'ready' }
  | { status: 'degraded'; error: KefuError };

export interface ShopInfo {
  id: string;
  name: string;
  timezone: string | null;
  contactEmail: string | null;
  defaultLanguage: string | null;
}

export interface ReadyDetail {
  status: 'ready' | 'degraded';
  shop: ShopInfo | null;
  coreVersion: string | null;
  error: KefuError | null;
  /** The understanding models that passed the integrity check and loaded. */
  models: LoadedModel[];
}

export interface EscalatedDetail {
  conversationId: string;
  duplicate: boolean;
  reason: EscalationReason | null;
}

/** Translation could not be loaded or run: the chat goes on untranslated. */
export interface TranslationUnavailableDetail {
  /** Why (UnavailableError: network/HTTP; DataLossError: sha256 mismatch; NotFoundError: no such pair). */
  error: KefuError;
  /** The translation that was needed. */
  from: string;
  to: string;
}

/** A machine translation made for the conversation. */
export interface TranslatedDetail extends TranslationValue {
  /** What was translated: the customer's message, an answer, "did you mean" suggestions (one
   *  per line), or an agent's reply. */
  purpose: 'message' | 'answer' | 'suggestions' | 'agent';
}

export interface AssistantEventMap extends Record<string, unknown> {
  ready: ReadyDetail;
  open: Record<string, never>;
  close: Record<string, never>;
  message: Message;
  answer: AskResult;
  escalated: EscalatedDetail;
  'agent-message': Message;
  error: KefuError;
  progress: Progress;
  /** Extra: the interface language changed: `setLocale`, or the customer wrote in another language. */
  locale: { locale: string; language: Language; source: 'setLocale' | 'detected' };
  /** Extra: `reset()` erased the conversation. */
  reset: Record<string, never>;
  /** Translation failed to load (download, sha256) or to run; answers stay in the KB's language. */
  'translation-unavailable': TranslationUnavailableDetail;
  /** Extra: a text of the conversation was machine-translated. */
  translated: TranslatedDetail;
}
export type AssistantEventName = keyof AssistantEventMap & string;
export const EVENT_NAMES: readonly AssistantEventName[] = [
  'ready',
  'open',
  'close',
  'message',
  'answer',
  'escalated',
  'agent-message',
  'error',
  'progress',
  'locale',
  'reset',
  'translation-unavailable',
  'translated',
];

/** createAssistant's options. Every field but `kb` is optional; defaults are documented per field. */
export interface AssistantOptions {
  /** The knowledge base: a URL (string or URL, fetched once) or the parsed KB object. Required. */
  kb: string | URL | Record<string, unknown>;
  /** Escalation server base URL. Default: the KB's `shop.escalation.endpoint`. */
  endpoint?: string | null;
  /** The customer's locale (BCP 47). Default: `navigator.language`, else `'en'`. */
  locale?: string | null;
  /** Folder holding kefu-worker.js, kefu-core.mjs and kefu-core.wasm. Default: next to kefu.mjs / kefu.js. */
  baseUrl?: string | URL;
  /** Called with download progress; the last call has `status: 'ready'` (or `'degraded'`). */
  progress?: ((progress: Progress) => void) | null;
  /** Where the outbox, transcript and conversation are kept. Default: `'local'` (localStorage, memory if blocked). */
  storage?: StorageOption;
  /** fetch used for the KB and the escalation server. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Interface string overrides, flat or per language. Default: none. */
  strings?: StringOverrides;
  /** Namespace of the storage keys. Default: the KB's `shop.id` (or `data-site` for the script tag). */
  siteId?: string | null;
  /** Longest accepted message in characters. Default: 4000. */
  maxMessageLength?: number;
  /**
   * Understanding models (language, intent, sentiment, urgency): `true` loads the manifest at
   * `baseUrl + 'models/manifest.json'`, `false` none, `{manifestUrl}` another manifest. Default: `true`.
   */
  models?: ModelsOption;
  /**
   * Machine translation between the customer's language and the knowledge base's, loaded on
   * first need from `baseUrl + 'ort/'` and the manifest's translation models. Default: `true`.
   */
  translation?: boolean;
  /** Advanced/testing: creates the worker. Default: `new Worker(baseUrl + 'kefu-worker.js', {type: 'module'})`. */
  createWorker?: (url: URL) => WorkerLike;
  /** Advanced/testing: EventSource constructor for agent replies. Default: `globalThis.EventSource`. */
  EventSource?: typeof EventSource;
}

interface StoredConversation {
  id: string;
  token: string;
  lastSeq: number;
  reason: EscalationReason | null;
}

/** The customer's language is translated when the language model is at least this sure. */
export const TRANSLATION_MIN_CONFIDENCE = 0.9;

interface StoredConsent {
  email: string;
  consent: true;
  at: string;
}

const LOCALE_PATTERN = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/;
const SITE_PATTERN = /^[a-z0-9-]{1,64}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isObjectLike(value);
}

/** Same test without narrowing, for values whose declared type should be kept. */
function isObjectLike(value: unknown): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function randomId(): string {
  const cryptoApi = (globalThis as { crypto?: Crypto }).crypto;
  if (cryptoApi?.randomUUID) return cryptoApi.randomUUID();
  if (cryptoApi?.getRandomValues) {
    const bytes = cryptoApi.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }
  throw new UnavailableError('crypto.getRandomValues is not available in this browser');
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

function normaliseEndpoint(value: unknown, what: string): string | null {
  if (value == null || value === '') return null;
  if (typeof value !== 'string') throw new InvalidArgumentError(`${what}: must be an http(s) URL string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`${what}: ${JSON.stringify(value)} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidChoice(`${what} protocol`, url.protocol, ['http:', 'https:']);
  }
  return url.href.replace(/\/+$/, '');
}

function defaultLocale(): string {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  return nav?.language || 'en';
}

function shopInfoFromKb(kb: unknown): ShopInfo | null {
  const shop = isPlainObject(kb) && isPlainObject(kb.shop) ? kb.shop : null;
  if (!shop) return null;
  const text = (value: unknown) => (typeof value === 'string' && value ? value : null);
  return {
    id: text(shop.id) ?? 'default',
    name: text(shop.name) ?? '',
    timezone: text(shop.timezone),
    contactEmail: text(shop.contact_email),
    defaultLanguage: text(shop.default_language),
  };
}

/** The knowledge base's questions a "did you mean" reply offers (none for other decisions). */
function clarifyQuestions(value: CoreAskValue): string[] {
  if (value.decision !== 'clarify' || value.reason === 'no_match' || value.reason === 'out_of_scope') return [];
  return (value.candidates ?? []).slice(0, 3).map((candidate) => candidate.question);
}

function toCandidate(candidate: CoreCandidate): Candidate {
  return {
    entryId: candidate.entry_id,
    intent: candidate.intent,
    question: candidate.question,
    confidence: candidate.confidence,
  };
}

/** Validates options eagerly so mistakes surface as InvalidArgumentError from createAssistant. */
function validateOptions(options: AssistantOptions): void {
  if (!isPlainObject(options)) throw new InvalidArgumentError('options: must be an object with at least {kb}');
  const { kb } = options;
  if (!(typeof kb === 'string' && kb) && !(kb instanceof URL) && !isPlainObject(kb)) {
    throw new InvalidArgumentError('options.kb: must be a URL (string or URL) or the knowledge-base object');
  }
  if (options.locale != null && !(typeof options.locale === 'string' && LOCALE_PATTERN.test(options.locale))) {
    throw new InvalidArgumentError(`options.locale: ${JSON.stringify(options.locale)} is not a BCP 47 locale such as "de" or "es-MX"`);
  }
  if (options.siteId != null && !(typeof options.siteId === 'string' && SITE_PATTERN.test(options.siteId))) {
    throw new InvalidArgumentError(`options.siteId: ${JSON.stringify(options.siteId)} must match [a-z0-9-]{1,64}`);
  }
  const storage = options.storage;
  if (
    storage !== undefined &&
    storage !== 'local' &&
    storage !== 'memory' &&
    !(isPlainObject(storage) && typeof (storage as KeyValueStorage).getItem === 'function')
  ) {
    throw invalidChoice('options.storage', storage, STORAGE_CHOICES);
  }
  if (options.progress != null && typeof options.progress !== 'function') {
    throw new InvalidArgumentError('options.progress: must be a function');
  }
  if (options.fetch != null && typeof options.fetch !== 'function') {
    throw new InvalidArgumentError('options.fetch: must be a function');
  }
  if (options.translation !== undefined && typeof options.translation !== 'boolean') {
    throw new InvalidArgumentError('options.translation: must be true or false');
  }
  if (options.strings != null && !isPlainObject(options.strings)) {
    throw new InvalidArgumentError('options.strings: must be an object of interface strings');
  }
  const max = options.maxMessageLength;
  if (max !== undefined && !(Number.isInteger(max) && max > 0 && max <= DEFAULT_MAX_MESSAGE_LENGTH)) {
    throw new InvalidArgumentError(`options.maxMessageLength: must be an integer from 1 to ${DEFAULT_MAX_MESSAGE_LENGTH}`);
  }
  normaliseEndpoint(options.endpoint, 'options.endpoint');
  const models = options.models;
  if (
    models !== undefined &&
    typeof models !== 'boolean' &&
    !(isPlainObject(models) && ((typeof models.manifestUrl === 'string' && models.manifestUrl) || models.manifestUrl instanceof URL))
  ) {
    throw new InvalidArgumentError('options.models: must be true, false or {manifestUrl: "https://.../models/manifest.json"}');
  }
}

/**
 * The live assistant. Construct through `createAssistant` (ES module) or the script-tag loader;
 * the constructor starts loading at once and `loaded` settles when the core is ready or has failed.
 */
export class KefuAssistant {
  /** Settles with the final status once loading has finished ('ready' or 'degraded'). Never rejects. */
  readonly loaded: Promise<AssistantStatus>;

  private statusValue: AssistantStatus = 'loading';
  private degradedError: KefuError | null = null;
  private readonly events = new Emitter<AssistantEventMap>(EVENT_NAMES);
  private readonly options: AssistantOptions;
  private readonly baseUrl: URL;
  private readonly fetchFn: typeof fetch;
  private readonly storage: KeyValueStorage;
  private siteId: string;
  private keys: StorageKeys;
  private endpointValue: string | null;
  private shopInfo: ShopInfo | null = null;
  private coreVersionValue: string | null = null;
  private worker: WorkerClient | null = null;
  private outbox: Outbox | null = null;
  private localeValue: string;
  private languageValue: Language;
  /** Set by setLocale: the page chose the language, so the customer's language no longer switches it. */
  private localePinned = false;
  private modelsValue: LoadedModel[] = [];
  private kbInfo: CoreKbInfo | null = null;
  private translationInfo: TranslationInfo = { languages: [], error: null };
  private translationStateValue: TranslationState = 'off';
  /** The language the customer writes in when it is translated (null: no translation so far). */
  private customerLanguage: string | null = null;
  /** Suggestions last shown translated: their text -> the KB's question, so asking one asks it. */
  private readonly translatedSuggestions = new Map<string, { question: string; language: string; customerLanguage: string }>();
  /** Agent replies are translated one after the other, so they are shown in order. */
  private agentQueue: Promise<void> = Promise.resolve();
  private orderLookup: OrderLookupHandler | null = null;
  private user: Record<string, unknown> | null = null;
  private order: Record<string, unknown> | null = null;
  private messages: Message[] = [];
  private conversation: StoredConversation | null = null;
  private stream: EventSource | null = null;
  private streamRetries = 0;
  private streamTimer: ReturnType<typeof setTimeout> | null = null;
  private outboxTimer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  /** Bumped by reset/dispose so answers to requests made before them are ignored. */
  private generation = 0;
  private readonly onOnline = () => void this.flushOutbox(true);

  constructor(options: AssistantOptions, baseUrl: string | URL) {
    validateOptions(options);
    this.options = options;
    this.baseUrl = new URL(String(options.baseUrl ?? baseUrl), (globalThis as { location?: Location }).location?.href);
    if (!this.baseUrl.pathname.endsWith('/')) this.baseUrl.pathname += '/';
    const fetchFn = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (!fetchFn) throw new UnavailableError('fetch is not available; pass options.fetch');
    this.fetchFn = fetchFn.bind(globalThis);
    this.storage =
      options.storage === 'memory'
        ? new MemoryStorage()
        : options.storage === 'local' || options.storage === undefined
          ? defaultStorage()
          : options.storage;
    this.siteId = options.siteId ?? 'default';
    this.keys = storageKeys(this.siteId);
    this.endpointValue = normaliseEndpoint(options.endpoint, 'options.endpoint');
    this.localeValue = options.locale ?? defaultLocale();
    this.languageValue = resolveLanguage(this.localeValue);
    this.loaded = this.load();
  }

  // ---- state ---------------------------------------------------------------------------------

  get status(): AssistantStatus {
    return this.statusValue;
  }
  /** Why the assistant is degraded (null when ready). */
  get error(): KefuError | null {
    return this.degradedError;
  }
  get shop(): ShopInfo | null {
    return this.shopInfo;
  }
  get coreVersion(): string | null {
    return this.coreVersionValue;
  }
  /** Machine translation: `off`, `available` (not loaded yet), `loading`, `ready` or `unavailable`. */
  get translationState(): TranslationState {
    return this.translationStateValue;
  }
  /** Languages the assistant can translate between (empty without translation). */
  get translationLanguages(): string[] {
    return this.translationStateValue === 'off' ? [] : [...this.translationInfo.languages];
  }
  /** The understanding models loaded into the core (empty without models). */
  get models(): LoadedModel[] {
    return this.modelsValue.map((model) => ({ ...model }));
  }
  get endpoint(): string | null {
    return this.endpointValue;
  }
  get locale(): string {
    return this.localeValue;
  }
  get language(): Language {
    return this.languageValue;
  }
  get maxMessageLength(): number {
    return this.options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
  }
  /** The conversation so far (a copy), oldest first. */
  get transcript(): Message[] {
    return this.messages.map((message) => ({ ...message }));
  }
  /** The escalated conversation this customer is in, or null. */
  get conversationId(): string | null {
    return this.conversation?.id ?? null;
  }
  /** True while an escalation waits in the outbox for the server. */
  get escalationQueued(): boolean {
    return (this.outbox?.list().length ?? 0) > 0;
  }
  /** The interface strings for the current language, with the host's overrides. */
  get strings(): Strings {
    return stringsFor(this.languageValue, this.options.strings);
  }
  /** One interface string with `{placeholders}` filled. */
  t(key: StringKey, values: Record<string, string | number> = {}): string {
    return format(this.strings[key], values);
  }

  // ---- events --------------------------------------------------------------------------------

  /**
   * Subscribes to an event; returns the unsubscribe function. `'orderLookup'` is not an event
   * but the shop's hook (see OrderLookupHandler); a second handler replaces the first.
   */
  on(name: 'orderLookup', handler: OrderLookupHandler): () => void;
  on<K extends AssistantEventName>(name: K, listener: (detail: AssistantEventMap[K]) => void): () => void;
  on(name: string, listener: (detail: never) => unknown): () => void {
    if (name === 'orderLookup') {
      if (typeof listener !== 'function') throw new InvalidArgumentError("on('orderLookup', handler): handler must be a function");
      const handler = listener as unknown as OrderLookupHandler;
      this.orderLookup = handler;
      return () => this.off('orderLookup', handler);
    }
    if (!(EVENT_NAMES as readonly string[]).includes(name)) throw invalidChoice('event', name, [...EVENT_NAMES, 'orderLookup']);
    return this.events.on(name as AssistantEventName, listener as (detail: unknown) => void);
  }
  off(name: 'orderLookup', handler: OrderLookupHandler): void;
  off<K extends AssistantEventName>(name: K, listener: (detail: AssistantEventMap[K]) => void): void;
  off(name: string, listener: (detail: never) => unknown): void {
    if (name === 'orderLookup') {
      if (this.orderLookup === (listener as unknown)) this.orderLookup = null;
      return;
    }
    this.events.off(name as AssistantEventName, listener as (detail: unknown) => void);
  }
  /** Used by the widget for `open`/`close`; also usable by hosts with their own UI. */
  emit<K extends AssistantEventName>(name: K, detail: AssistantEventMap[K]): void {
    if (name === 'progress') {
      try {
        this.options.progress?.(detail as Progress);
      } catch (error) {
        console.error('[kefu] the progress callback threw:', error);
      }
    }
    this.events.emit(name, detail);
  }

  // ---- context -------------------------------------------------------------------------------

  /** Sets the customer's identity sent with an escalation (redacted by the core). `null` clears it. */
  setUser(user: Record<string, unknown> | null): void {
    if (user !== null && !isPlainObject(user)) throw new InvalidArgumentError('setUser: expects an object such as {id, name} or null');
    this.user = user ? { ...user } : null;
  }
  /** Sets the order the customer is asking about (sent with an escalation). `null` clears it. */
  setOrder(order: Record<string, unknown> | null): void {
    if (order !== null && !isPlainObject(order)) throw new InvalidArgumentError('setOrder: expects an object such as {id} or null');
    this.order = order ? { ...order } : null;
  }
  /** Sets the customer's locale; the interface switches to its language (one of the ten, else English). */
  setLocale(locale: string): void {
    if (typeof locale !== 'string' || !LOCALE_PATTERN.test(locale)) {
      throw new InvalidArgumentError(`setLocale: ${JSON.stringify(locale)} is not a BCP 47 locale such as "de" or "es-MX"`);
    }
    this.localeValue = locale;
    this.languageValue = resolveLanguage(locale);
    this.localePinned = true;
    this.emit('locale', { locale, language: this.languageValue, source: 'setLocale' });
  }

  // ---- conversation --------------------------------------------------------------------------

  /** Throws OutOfRangeError (with the customer-facing text) when a message is too long or empty. */
  checkMessage(text: unknown): string {
    if (typeof text !== 'string') throw new InvalidArgumentError('text: must be a string');
    const trimmed = text.trim();
    if (!trimmed) throw new InvalidArgumentError('text: must not be empty');
    // A lone UTF-16 surrogate is JavaScript's form of invalid UTF-8; Embind would silently turn it
    // into a different character, so it is refused here, where the text still exists unchanged.
    if (LONE_SURROGATE.test(trimmed)) {
      throw new InvalidArgumentError('text: contains an unpaired UTF-16 surrogate (not valid Unicode)');
    }
    const length = [...trimmed].length;
    if (length > this.maxMessageLength || utf8Length(trimmed) > CORE_MAX_BYTES) {
      throw new OutOfRangeError(this.t('tooLong', { length, max: this.maxMessageLength }));
    }
    return trimmed;
  }

  /**
   * Handles one customer message. Before an escalation: asks the core and adds its reply to the
   * transcript (decision 'escalate' is returned, not acted on: call `escalate`). While a person
   * handles the conversation: redacts the text and sends it to them (decision 'relayed').
   * Rejects with OutOfRangeError (too long), UnavailableError (core not loaded, network down), ...
   */
  async ask(text: string): Promise<AskResult> {
    const clean = this.checkMessage(text);
    if (this.statusValue === 'disposed') throw new UnavailableError('the assistant was disposed');
    await this.loaded;
    if (this.conversation) return this.relay(clean);
    const worker = this.requireCore();
    const generation = this.generation;
    const customerMessage = this.append({ role: 'customer', text: clean });
    // A language the knowledge base lacks: the core answers the machine translation, and the
    // answer is translated back (formal register) for the customer.
    const source = await this.languageToTranslate(clean);
    if (generation !== this.generation) throw new UnavailableError('the conversation was reset while answering');
    let question = clean;
    let customerLanguage: string | null = null;
    let kbLanguage: string | null = null;
    // A "did you mean" suggestion shown translated and now sent back: ask the knowledge base's
    // own question, not a translation of a translation.
    const suggested = this.translatedSuggestions.get(clean);
    if (suggested) {
      question = suggested.question;
      customerLanguage = suggested.customerLanguage;
      kbLanguage = suggested.language;
      this.customerLanguage = customerLanguage;
      this.updateMessage(customerMessage.id, { language: customerLanguage, translation: { text: question, language: kbLanguage } });
    } else if (source) {
      const translated = await this.tryTranslate(clean, source.from, source.to, false, 'message');
      if (generation !== this.generation) throw new UnavailableError('the conversation was reset while answering');
      if (translated) {
        question = translated.text;
        customerLanguage = source.from;
        kbLanguage = source.to;
        this.customerLanguage = source.from;
        this.updateMessage(customerMessage.id, { language: source.from, translation: { text: translated.text, language: source.to } });
      }
    }
    const now = this.shopNow();
    const value: CoreAskValue = await worker.call('ask', {
      text: question, locale: this.localeValue, now, ...(customerLanguage ? { original: clean } : {}),
    });
    if (generation !== this.generation) throw new UnavailableError('the conversation was reset while answering');
    const understanding = toUnderstanding(value.understanding);
    this.followCustomerLanguage(understanding, clean);
    // A customer the core hands over (asked for a person, angry, urgent) is not answered by a lookup.
    const lookup = value.decision === 'escalate' ? null : orderLookupRequest(understanding, clean, this.languageValue);
    if (lookup && this.orderLookup) {
      const text = await this.runOrderLookup(this.orderLookup, lookup);
      if (generation !== this.generation) throw new UnavailableError('the conversation was reset while answering');
      if (text !== null) return this.answerFromLookup(value, understanding, lookup, text);
    }
    let shown: Pick<Message, 'text' | 'original' | 'language'> | null = null;
    if (customerLanguage && value.decision === 'answer' && value.answer && value.answer.language !== customerLanguage) {
      const back = await this.tryTranslate(value.answer.text, value.answer.language, customerLanguage, true, 'answer');
      if (generation !== this.generation) throw new UnavailableError('the conversation was reset while answering');
      if (back) shown = { text: back.text, language: customerLanguage, original: { ...value.answer } };
    }
    let suggestions: string[] | null = null;
    const questions = clarifyQuestions(value);
    if (customerLanguage && kbLanguage && questions.length) {
      // One call, one line per question: they decode as one batch.
      const back = await this.tryTranslate(questions.join('\n'), kbLanguage, customerLanguage, true, 'suggestions');
      if (generation !== this.generation) throw new UnavailableError('the conversation was reset while answering');
      const lines = back?.text.split('\n').map((line) => line.trim()) ?? [];
      if (lines.length === questions.length && lines.every(Boolean)) {
        suggestions = lines;
        this.translatedSuggestions.clear();
        lines.forEach((line, i) => this.translatedSuggestions.set(line, { question: questions[i], language: kbLanguage as string, customerLanguage: customerLanguage as string }));
      }
    }
    return this.handleDecision(value, understanding, shown, suggestions);
  }

  /**
   * Translates `text` with the models in the worker (loaded on first use, with `progress`
   * events for `file: 'translation'`). `formal` (default false) asks for the formal register
   * (Sie, usted, vous) where the target language has one. Pairs other than English pivot
   * through English. Rejects with UnavailableError (translation off, or the download failed),
   * DataLossError (a file failed its sha256 check), NotFoundError (no model for the pair) or
   * InvalidArgumentError (empty text, from = to).
   */
  async translate(text: string, options: { from: string; to: string; formal?: boolean; beam?: number }): Promise<TranslationValue> {
    if (typeof text !== 'string' || !text.trim()) throw new InvalidArgumentError('translate: text must be a non-empty string');
    if (!isObjectLike(options) || typeof options.from !== 'string' || typeof options.to !== 'string') {
      throw new InvalidArgumentError('translate: options must be {from, to} language codes such as {from: "de", to: "en"}');
    }
    await this.loaded;
    const worker = this.requireCore();
    if (this.translationStateValue === 'off') {
      throw new UnavailableError(
        `translate: translation is off${this.translationInfo.error ? `: ${this.translationInfo.error.message}` : ' (option translation: false, or no translation models)'}`,
      );
    }
    if (options.beam !== undefined && !(Number.isInteger(options.beam) && options.beam >= 1 && options.beam <= 8)) {
      throw new InvalidArgumentError(`translate: beam must be an integer from 1 (greedy) to 8, got ${String(options.beam)}`);
    }
    return worker.call('translate', { text, from: options.from, to: options.to, formal: !!options.formal, ...(options.beam ? { beam: options.beam } : {}) });
  }

  /**
   * The translation a customer message needs, or null: its language is identified surely, is
   * not one of the knowledge base's, and a model exists. Once a conversation is translated, a
   * less sure message in the same language is translated too.
   */
  private async languageToTranslate(text: string): Promise<{ from: string; to: string; confidence: number } | null> {
    const state = this.translationStateValue;
    if ((state !== 'available' && state !== 'ready' && state !== 'loading') || !this.worker || !this.kbInfo) return null;
    const id = await this.worker.call('identify', { text }).catch(() => null);
    if (!id || !id.lang || id.lang === 'und') return null;
    const kbLanguages = this.kbInfo.languages?.length ? this.kbInfo.languages : [this.kbInfo.default_language];
    if (kbLanguages.includes(id.lang) || !this.translationInfo.languages.includes(id.lang)) return null;
    if (id.lang_confidence < TRANSLATION_MIN_CONFIDENCE && id.lang !== this.customerLanguage) return null;
    const to = this.agentLanguage();
    if (!to) return null;
    return { from: id.lang, to, confidence: id.lang_confidence };
  }

  /** The language agents and the knowledge base share: English when the KB has it (one model), else its default. */
  private agentLanguage(): string | null {
    const kb = this.kbInfo;
    if (!kb) return null;
    const languages = kb.languages?.length ? kb.languages : [kb.default_language];
    const to = languages.includes(PIVOT_LANGUAGE) ? PIVOT_LANGUAGE : kb.default_language;
    return this.translationInfo.languages.includes(to) ? to : null;
  }

  /**
   * Runs one translation for the conversation; null when it failed. A failure to load (network,
   * HTTP, sha256) or run makes translation unavailable for this page: `translation-unavailable`
   * and `error` are emitted once, and the conversation goes on untranslated.
   */
  private async tryTranslate(text: string, from: string, to: string, formal: boolean, purpose: TranslatedDetail['purpose']): Promise<TranslationValue | null> {
    const worker = this.worker;
    if (!worker || this.translationStateValue === 'unavailable' || this.translationStateValue === 'off') return null;
    if (this.translationStateValue === 'available') this.translationStateValue = 'loading';
    try {
      const value = await worker.call('translate', { text, from, to, formal });
      if (this.translationStateValue === 'loading') this.translationStateValue = 'ready';
      this.emit('translated', { ...value, purpose });
      return value;
    } catch (cause) {
      const error = toKefuError(cause);
      if (this.statusValue === 'disposed') return null;
      // A text the model cannot take (too long) costs that text only; anything else, the feature.
      if (error.code === 'invalid_argument' || error.code === 'out_of_range') {
        if (this.translationStateValue === 'loading') this.translationStateValue = 'available';
        this.emit('error', error);
        return null;
      }
      const wasUnavailable = (this.translationStateValue as TranslationState) === 'unavailable';
      this.translationStateValue = 'unavailable';
      if (!wasUnavailable) {
        console.warn(`[kefu] translation unavailable: ${error.message} (continuing untranslated)`);
        this.emit('error', error);
        this.emit('translation-unavailable', { error, from, to });
      }
      return null;
    }
  }

  /**
   * Hands the conversation to a person: the core builds the redacted payload, it is stored in
   * the outbox, then POSTed. Resolves 'sent' (the server stored it), 'queued' (saved; retried
   * with back-off and on the next page load), or 'already-open' / 'already-queued'.
   * Rejects with InvalidArgumentError (bad contact), UnavailableError (no core or no endpoint),
   * or the server's error for a refused (4xx) payload.
   */
  async escalate(options: EscalateOptions = {}): Promise<EscalationOutcome> {
    if (!isObjectLike(options)) throw new InvalidArgumentError('escalate: options must be an object');
    const reason = options.reason ?? 'customer_request';
    if (!ESCALATION_REASONS.includes(reason)) throw invalidChoice('escalate.reason', reason, ESCALATION_REASONS);
    const contact = options.contact ?? null;
    if (contact !== null) {
      if (!isObjectLike(contact) || typeof contact.email !== 'string' || !EMAIL_PATTERN.test(contact.email.trim())) {
        throw new InvalidArgumentError('escalate.contact.email: must be an e-mail address');
      }
      if (contact.consent !== true) {
        throw new InvalidArgumentError('escalate.contact.consent: must be true; an e-mail address is only sent with consent');
      }
    }
    const message = options.message == null ? null : this.checkMessage(options.message);
    await this.loaded;
    if (this.conversation) return { state: 'already-open', conversationId: this.conversation.id };
    const queued = this.outbox?.list()[0];
    if (queued) return { state: 'already-queued', idempotencyKey: queued.idempotencyKey };
    const worker = this.requireCore();
    const outbox = this.requireOutbox();
    const generation = this.generation;
    if (message) this.append({ role: 'customer', text: message });
    if (!this.messages.some((line) => line.role === 'customer')) {
      throw new InvalidArgumentError("escalate: the customer has not written anything yet; pass {message} with the customer's question");
    }

    const request: Record<string, unknown> = {
      idempotency_key: randomId(),
      reason,
      locale: this.localeValue,
      language: this.languageValue,
      page_url: this.pageUrl(),
      transcript: this.escalationTranscript(),
      created_at: new Date().toISOString(),
    };
    if (this.user) request.user = this.user;
    if (this.order) request.order = this.order;
    if (contact) {
      const email = contact.email.trim();
      request.contact = { email, consent: true };
      writeJson(this.storage, this.keys.consent, { email, consent: true, at: new Date().toISOString() } satisfies StoredConsent);
    }
    const payload = (await worker.call('buildEscalation', { request })) as { idempotency_key: string };
    if (generation !== this.generation) throw new UnavailableError('the conversation was reset while escalating');
    // Stored before the first attempt: a reload or a crash from here on loses nothing.
    outbox.enqueue(payload);
    this.append({ role: 'system', kind: 'handoff', text: this.t('handingOver') });
    const [result] = await this.flushOutbox(false, payload.idempotency_key);
    if (!result) return { state: 'already-queued', idempotencyKey: payload.idempotency_key };
    if (result.status === 'delivered') {
      return { state: 'sent', conversationId: result.receipt.conversation_id, duplicate: result.receipt.duplicate };
    }
    if (result.status === 'retry') {
      return { state: 'queued', idempotencyKey: payload.idempotency_key, retryInMs: result.delayMs, error: result.error };
    }
    throw result.error;
  }

  /** The shop's business status now, with a ready-made sentence; null without core or time zone. */
  async businessStatus(date: Date = new Date()): Promise<BusinessStatus | null> {
    await this.loaded;
    const now = this.shopNow(date);
    if (!now || this.statusValue !== 'ready' || !this.worker) return null;
    const value = await this.worker.call('businessStatus', { now });
    const next = value.next_open ?? null;
    const nextOpen = next ? { weekday: next.weekday as Weekday, time: next.time } : null;
    let text: string | null = null;
    if (!value.open) {
      text = nextOpen
        ? this.t('teamBack', {
            day: weekdayName(nextOpen.weekday, this.localeValue),
            time: nextOpen.time,
            timezone: value.timezone,
          })
        : this.t('teamAway');
    }
    return { open: value.open, nextOpen, timezone: value.timezone, text };
  }

  /** The e-mail the customer consented to share before, for pre-filling the form (null if none). */
  storedContact(): StoredConsent | null {
    const stored = readJson<StoredConsent | null>(this.storage, this.keys.consent, null);
    return stored && typeof stored.email === 'string' && stored.consent === true ? stored : null;
  }

  /** Erases everything stored locally (outbox, conversation, transcript, consent) and starts over. */
  async reset(): Promise<void> {
    this.generation++;
    this.closeStream();
    this.clearTimers();
    this.outbox?.clear();
    for (const key of Object.values(this.keys)) removeKey(this.storage, key);
    this.messages = [];
    this.conversation = null;
    this.customerLanguage = null;
    this.translatedSuggestions.clear();
    this.user = null;
    this.order = null;
    this.emit('reset', {});
    if (this.statusValue === 'ready' && this.worker) {
      await this.worker.call('reset', {}).catch((error: unknown) => this.emit('error', toKefuError(error)));
    }
  }

  /** Stops the worker, the agent stream and the retry timers. Stored data stays (see reset). */
  dispose(): void {
    if (this.statusValue === 'disposed') return;
    this.generation++;
    this.statusValue = 'disposed';
    this.closeStream();
    this.clearTimers();
    (globalThis as { removeEventListener?: typeof removeEventListener }).removeEventListener?.('online', this.onOnline);
    this.worker?.terminate();
    this.worker = null;
    this.events.clear();
    this.orderLookup = null;
  }

  // ---- loading -------------------------------------------------------------------------------

  private async load(): Promise<AssistantStatus> {
    let kbText: string | null = null;
    try {
      kbText = await this.loadKbText();
      let kb: unknown;
      try {
        kb = JSON.parse(kbText);
      } catch (cause) {
        throw new InvalidArgumentError(`kb: not valid JSON (${(cause as Error).message})`);
      }
      this.shopInfo = shopInfoFromKb(kb);
      const shop = (kb as { shop?: { escalation?: { endpoint?: unknown } } }).shop;
      if (!this.endpointValue) this.endpointValue = normaliseEndpoint(shop?.escalation?.endpoint, 'kb shop.escalation.endpoint');
    } catch (error) {
      kbText = null;
      this.degradedError = toKefuError(error, 'unavailable');
    } finally {
      if (this.options.siteId == null && this.shopInfo && SITE_PATTERN.test(this.shopInfo.id)) {
        this.siteId = this.shopInfo.id;
        this.keys = storageKeys(this.siteId);
      }
      this.restore();
    }
    if (kbText !== null) {
      try {
        const result = await this.startWorker(kbText);
        this.coreVersionValue = result.coreVersion;
        this.modelsValue = Array.isArray(result.models) ? result.models : [];
        this.kbInfo = result.kb ?? null;
        this.translationInfo = result.translation ?? { languages: [], error: null };
        this.translationStateValue = this.translationInfo.languages.length ? 'available' : 'off';
        if (this.translationInfo.error) {
          // Like a missing model: the chat works, in the knowledge base's languages.
          const error = errorFromStatus(this.translationInfo.error);
          console.warn(`[kefu] ${error.message} (continuing without translation)`);
          if (this.statusValue !== 'disposed') this.emit('error', error);
        }
        // A missing or corrupted model costs the understanding features, never the chat.
        for (const wire of result.modelErrors ?? []) {
          const error = errorFromStatus(wire);
          console.warn(`[kefu] ${error.message} (continuing without this model)`);
          if (this.statusValue !== 'disposed') this.emit('error', error);
        }
      } catch (error) {
        this.degradedError = toKefuError(error, 'unavailable');
      }
    }
    if (this.statusValue === 'disposed') return 'disposed';
    this.statusValue = this.degradedError ? 'degraded' : 'ready';
    if (this.degradedError) {
      this.worker?.terminate();
      this.worker = null;
      this.emit('error', this.degradedError);
      this.emit('progress', { status: 'degraded', error: this.degradedError });
    } else {
      this.emit('progress', { status: 'ready' });
    }
    this.emit('ready', {
      status: this.statusValue,
      shop: this.shopInfo,
      coreVersion: this.coreVersionValue,
      error: this.degradedError,
      models: this.models,
    });
    this.resume();
    return this.statusValue;
  }

  private async loadKbText(): Promise<string> {
    const kb = this.options.kb;
    if (isPlainObject(kb) && !(kb instanceof URL)) return JSON.stringify(kb);
    const url = new URL(String(kb), (globalThis as { location?: Location }).location?.href);
    let response: Response;
    try {
      response = await this.fetchFn(url.href, { credentials: 'same-origin' });
    } catch (cause) {
      throw new UnavailableError(`kb: could not fetch ${url.href}: ${(cause as Error).message}`);
    }
    if (!response.ok) throw new UnavailableError(`kb: could not fetch ${url.href}: HTTP ${response.status}`);
    const text = await response.text();
    this.emit('progress', { status: 'progress', file: 'kb', loaded: text.length, total: text.length });
    return text;
  }

  private async startWorker(kbText: string): Promise<InitResult> {
    const workerUrl = new URL('kefu-worker.js', this.baseUrl);
    let raw: WorkerLike;
    try {
      raw = this.options.createWorker
        ? this.options.createWorker(workerUrl)
        : (new Worker(workerUrl, { type: 'module', name: 'kefu' }) as unknown as WorkerLike);
    } catch (cause) {
      throw new UnavailableError(`could not start the kefu worker at ${workerUrl.href}: ${(cause as Error).message}`);
    }
    this.worker = new WorkerClient(raw, (progress) =>
      this.emit('progress', { status: 'progress', file: progress.file, loaded: progress.loaded, total: progress.total }),
    );
    return this.worker.call('init', {
      kbText,
      coreUrl: new URL('kefu-core.mjs', this.baseUrl).href,
      wasmUrl: new URL('kefu-core.wasm', this.baseUrl).href,
      models: this.manifestUrl() ? { manifestUrl: this.manifestUrl() as string } : null,
      ortBaseUrl: this.options.translation === false ? null : new URL('ort/', this.baseUrl).href,
    });
  }

  /** The models manifest to load, or null (option `models: false`). */
  private manifestUrl(): string | null {
    const models = this.options.models ?? true;
    if (models === false) return null;
    if (models === true) return new URL('models/manifest.json', this.baseUrl).href;
    return new URL(String(models.manifestUrl), (globalThis as { location?: Location }).location?.href).href;
  }

  /** Reads the transcript and conversation left by an earlier page. */
  private restore(): void {
    const messages = readJson<Message[]>(this.storage, this.keys.transcript, []);
    this.messages = Array.isArray(messages) ? messages.filter((m) => m && typeof m.text === 'string' && typeof m.role === 'string') : [];
    const conversation = readJson<StoredConversation | null>(this.storage, this.keys.conversation, null);
    this.conversation =
      conversation && typeof conversation.id === 'string' && typeof conversation.token === 'string' ? conversation : null;
    // A translated conversation stays translated after a reload (agent replies included).
    const translated = [...this.messages].reverse().find((message) => message.role === 'customer' && message.translation && message.language);
    this.customerLanguage = translated?.language ?? null;
  }

  /** After loading: resend the outbox and reconnect the agent stream (both work without the core). */
  private resume(): void {
    if (!this.endpointValue) return;
    this.outbox = new Outbox({
      storage: this.storage,
      storageKey: this.keys.outbox,
      endpoint: this.endpointValue,
      fetch: this.fetchFn,
    });
    (globalThis as { addEventListener?: typeof addEventListener }).addEventListener?.('online', this.onOnline);
    if (this.outbox.list().length > 0) void this.flushOutbox(false);
    if (this.conversation) this.openStream();
  }

  private requireCore(): WorkerClient {
    if (this.statusValue !== 'ready' || !this.worker) {
      throw this.degradedError
        ? new UnavailableError(`the assistant is unavailable: ${this.degradedError.message}`)
        : new UnavailableError('the assistant is not ready');
    }
    return this.worker;
  }

  private requireOutbox(): Outbox {
    if (!this.outbox) {
      throw new UnavailableError('no escalation endpoint: set options.endpoint or shop.escalation.endpoint in the KB');
    }
    return this.outbox;
  }

  // ---- decisions -----------------------------------------------------------------------------

  /**
   * The customer writes in another language than the interface's: with a sure language id and
   * a real sentence (not "ok"), the interface follows, unless the page chose it with setLocale.
   */
  private followCustomerLanguage(understanding: Understanding | null, text: string): void {
    if (this.localePinned) return;
    const language = languageToSwitchTo(understanding, text, this.languageValue);
    if (!language) return;
    this.localeValue = language;
    this.languageValue = language;
    this.emit('locale', { locale: language, language, source: 'detected' });
  }

  /**
   * Asks the shop's hook; resolves with its non-empty answer, or null to fall back to the KB
   * reply (no answer, failure or timeout; failures are emitted as `error`).
   */
  private async runOrderLookup(handler: OrderLookupHandler, request: OrderLookupRequest): Promise<string | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new UnavailableError(`orderLookup: the handler gave no answer within ${ORDER_LOOKUP_TIMEOUT_MS / 1000} s`)),
        ORDER_LOOKUP_TIMEOUT_MS,
      );
    });
    try {
      const answer = await Promise.race([Promise.resolve().then(() => handler({ ...request })), timeout]);
      if (answer == null || answer === '') return null;
      if (typeof answer !== 'string') {
        throw new InvalidArgumentError(`orderLookup: the handler must return a string (or a promise of one), not ${typeof answer}`);
      }
      return answer.trim() ? answer : null;
    } catch (cause) {
      const error =
        cause instanceof KefuError ? cause : new UnavailableError(`orderLookup: the handler failed: ${(cause as Error)?.message ?? String(cause)}`);
      this.emit('error', error);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  private answerFromLookup(value: CoreAskValue, understanding: Understanding | null, request: OrderLookupRequest, text: string): AskResult {
    // The customer got an answer: a miss the core counted must not lead to a hand-over next time.
    if (value.decision !== 'answer') void this.worker?.call('reset', {}).catch(() => {});
    const reply = this.append({ role: 'assistant', kind: 'answer', text });
    const result: AskResult = {
      decision: 'answer',
      reason: 'order_lookup',
      entryId: null,
      intent: request.intent,
      score: null,
      confidence: understanding?.confidence ?? null,
      answer: { text, language: request.language },
      candidates: [],
      reply,
      understanding,
      source: 'orderLookup',
    };
    this.emit('answer', result);
    return result;
  }

  private handleDecision(value: CoreAskValue, understanding: Understanding | null, shown: Pick<Message, 'text' | 'original' | 'language'> | null = null,
    translatedSuggestions: string[] | null = null): AskResult {
    const candidates = (value.candidates ?? []).map(toCandidate);
    const questions = clarifyQuestions(value);
    let reply: Message | null = null;
    if (value.decision === 'answer' && value.answer) {
      reply = this.append({ role: 'assistant', kind: 'answer', text: value.answer.text, ...(shown ?? {}) });
    } else if (value.decision === 'clarify' && value.reason === 'out_of_scope') {
      reply = this.append({ role: 'assistant', kind: 'miss', text: this.t('outOfScope'), offerPerson: true });
    } else if (questions.length) {
      reply = this.append({
        role: 'assistant',
        kind: 'clarify',
        text: this.t('didYouMean'),
        suggestions: translatedSuggestions ?? questions,
        ...(translatedSuggestions ? { suggestionOriginals: questions } : {}),
      });
    } else if (value.decision !== 'escalate') {
      reply = this.append({ role: 'assistant', kind: 'miss', text: this.t('notUnderstood') });
    }
    const result: AskResult = {
      decision: value.decision,
      reason: value.reason,
      entryId: value.entry_id ?? null,
      intent: value.intent ?? null,
      score: value.score ?? null,
      confidence: value.confidence ?? null,
      answer: shown && value.answer ? { text: shown.text, language: shown.language as string, original: { ...value.answer } } : (value.answer ?? null),
      candidates,
      reply,
      understanding,
      source: value.decision === 'answer' ? 'kb' : null,
    };
    if (result.decision === 'answer') this.emit('answer', result);
    return result;
  }

  private async relay(text: string): Promise<AskResult> {
    const conversation = this.conversation as StoredConversation;
    const worker = this.requireCore();
    const generation = this.generation;
    const redacted = await worker.call('redact', { text });
    const body: { text: string; translation?: { text: string; language: string; machine: true } } = { text: redacted.text };
    // The customer still writes in a language the agents may not read: the translation goes along.
    const source = this.customerLanguage ? await this.languageToTranslate(text) : null;
    const translated = source ? await this.tryTranslate(text, source.from, source.to, false, 'message') : null;
    if (translated && source) {
      body.translation = { text: (await worker.call('redact', { text: translated.text })).text, language: source.to, machine: true };
    }
    let response: Response;
    try {
      response = await this.fetchFn(`${this.endpointValue}/v1/conversations/${encodeURIComponent(conversation.id)}/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${conversation.token}` },
        body: JSON.stringify(body),
        credentials: 'omit',
      });
    } catch (cause) {
      throw new UnavailableError(`network error: ${(cause as Error).message}`);
    }
    const reply = (await response.json().catch(() => null)) as { seq?: number; error?: { code: string; message: string } } | null;
    if (!response.ok) {
      throw reply?.error ? errorFromStatus(reply.error) : new UnavailableError(`server answered ${response.status}`);
    }
    if (generation !== this.generation) throw new UnavailableError('the conversation was reset while sending');
    this.append({
      role: 'customer',
      text,
      seq: typeof reply?.seq === 'number' ? reply.seq : undefined,
      ...(translated && source ? { language: source.from, translation: { text: translated.text, language: source.to } } : {}),
    });
    return {
      decision: 'relayed',
      reason: 'conversation_open',
      entryId: null,
      intent: null,
      score: null,
      confidence: null,
      answer: null,
      candidates: [],
      reply: null,
      understanding: null,
      source: null,
    };
  }

  // ---- outbox --------------------------------------------------------------------------------

  /**
   * Sends what is due (everything with `force`) and reschedules. Returns the results of this
   * round (filtered to one idempotency key when given).
   */
  private async flushOutbox(force: boolean, onlyKey?: string): Promise<DeliveryResult[]> {
    const outbox = this.outbox;
    if (!outbox || this.statusValue === 'disposed') return [];
    // Rounds never overlap: a second caller waits for the running one, then runs its own.
    while (this.flushing) await this.flushing;
    let results: DeliveryResult[] = [];
    const generation = this.generation;
    this.flushing = (async () => {
      if (this.outboxTimer) clearTimeout(this.outboxTimer);
      this.outboxTimer = null;
      results = await outbox.flush({ force });
      if (generation !== this.generation) return;
      for (const result of results) this.handleDelivery(result);
      this.scheduleOutbox();
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
    return onlyKey ? results.filter((result) => result.item.idempotencyKey === onlyKey) : results;
  }

  private handleDelivery(result: DeliveryResult): void {
    if (result.status === 'delivered') {
      this.onDelivered(result.receipt, result.item.payload);
    } else if (result.status === 'retry') {
      // Tell the customer once per escalation, not on every retry.
      if (result.item.attempts === 1) this.append({ role: 'system', kind: 'handoff', text: this.t('handoffQueued') });
    } else {
      this.append({ role: 'system', kind: 'handoff', text: this.t('handoffFailed', { message: result.error.message }) });
      this.emit('error', result.error);
    }
  }

  private onDelivered(receipt: EscalationReceipt, payload: unknown): void {
    const reason = (payload as { reason?: EscalationReason })?.reason ?? null;
    this.conversation = { id: receipt.conversation_id, token: receipt.token, lastSeq: 0, reason };
    writeJson(this.storage, this.keys.conversation, this.conversation);
    this.append({ role: 'system', kind: 'handoff', text: this.t('handoffSent') });
    this.emit('escalated', { conversationId: receipt.conversation_id, duplicate: receipt.duplicate, reason });
    this.openStream();
  }

  private scheduleOutbox(): void {
    const due = this.outbox?.nextDueIn();
    if (due == null || this.statusValue === 'disposed') return;
    this.outboxTimer = setTimeout(() => void this.flushOutbox(false), due);
  }

  private clearTimers(): void {
    if (this.outboxTimer) clearTimeout(this.outboxTimer);
    if (this.streamTimer) clearTimeout(this.streamTimer);
    this.outboxTimer = null;
    this.streamTimer = null;
  }

  // ---- agent stream --------------------------------------------------------------------------

  private openStream(): void {
    const conversation = this.conversation;
    const EventSourceImpl = this.options.EventSource ?? (globalThis as { EventSource?: typeof EventSource }).EventSource;
    if (!conversation || !this.endpointValue || !EventSourceImpl || this.statusValue === 'disposed') return;
    this.closeStream();
    const url =
      `${this.endpointValue}/v1/conversations/${encodeURIComponent(conversation.id)}/events` +
      `?token=${encodeURIComponent(conversation.token)}&after=${conversation.lastSeq}`;
    const stream = new EventSourceImpl(url);
    this.stream = stream;
    stream.addEventListener('open', () => {
      this.streamRetries = 0;
    });
    stream.addEventListener('message', (event) => this.onStreamMessage((event as MessageEvent).data));
    stream.addEventListener('status', (event) => this.onStreamStatus((event as MessageEvent).data));
    stream.addEventListener('error', () => {
      // EventSource reconnects by itself after network errors (sending Last-Event-ID); a CLOSED
      // stream (HTTP error, wrong content type) is reopened here with back-off and ?after=.
      if (stream.readyState !== 2 || this.stream !== stream) return;
      this.stream = null;
      this.streamRetries++;
      const delay = backoffDelay(this.streamRetries, Math.random());
      this.streamTimer = setTimeout(() => this.openStream(), delay);
    });
  }

  private closeStream(): void {
    this.stream?.close();
    this.stream = null;
  }

  private onStreamMessage(data: string): void {
    let message: { seq?: number; role?: string; text?: string; author?: string; created_at?: string };
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (!this.conversation || typeof message.seq !== 'number' || typeof message.text !== 'string') return;
    const generation = this.generation;
    // One after the other: a reply being translated holds the ones after it back, in order.
    this.agentQueue = this.agentQueue.then(async () => {
      const conversation = this.conversation;
      if (!conversation || generation !== this.generation || (message.seq as number) <= conversation.lastSeq) return;
      const text = message.text as string;
      let shown: Pick<Message, 'text' | 'original' | 'language'> | null = null;
      if (message.role === 'agent') {
        // Agents write in the knowledge base's language; the customer reads their own.
        const to = this.customerLanguage;
        const from = this.agentLanguage();
        if (to && from && to !== from) {
          const id = await this.worker?.call('identify', { text }).catch(() => null);
          const alreadyTheirs = id?.lang === to && id.lang_confidence >= TRANSLATION_MIN_CONFIDENCE;
          const translated = alreadyTheirs ? null : await this.tryTranslate(text, from, to, true, 'agent');
          if (translated) shown = { text: translated.text, language: to, original: { text, language: from } };
        }
        if (generation !== this.generation || this.conversation !== conversation || (message.seq as number) <= conversation.lastSeq) return;
      }
      conversation.lastSeq = message.seq as number;
      writeJson(this.storage, this.keys.conversation, conversation);
      // The customer's own messages are already in the local transcript (in their original form).
      if (message.role !== 'agent') return;
      const appended = this.append({
        role: 'agent',
        text,
        author: typeof message.author === 'string' ? message.author : undefined,
        seq: message.seq,
        at: typeof message.created_at === 'string' ? message.created_at : undefined,
        ...(shown ?? {}),
      });
      this.emit('agent-message', appended);
    });
  }

  private onStreamStatus(data: string): void {
    let status: { status?: string };
    try {
      status = JSON.parse(data);
    } catch {
      return;
    }
    if (status.status !== 'closed' && status.status !== 'erased') return;
    this.closeStream();
    this.conversation = null;
    removeKey(this.storage, this.keys.conversation);
    this.append({
      role: 'system',
      kind: 'notice',
      text: this.t(status.status === 'closed' ? 'conversationClosed' : 'conversationErased'),
    });
    if (this.statusValue === 'ready' && this.worker) void this.worker.call('reset', {}).catch(() => {});
  }

  // ---- helpers -------------------------------------------------------------------------------

  private append(message: Omit<Message, 'id' | 'at'> & { at?: string }): Message {
    const full: Message = { ...message, id: randomId(), at: message.at ?? new Date().toISOString() };
    for (const key of Object.keys(full) as (keyof Message)[]) if (full[key] === undefined) delete full[key];
    this.messages.push(full);
    if (this.messages.length > MAX_STORED_MESSAGES) this.messages.splice(0, this.messages.length - MAX_STORED_MESSAGES);
    writeJson(this.storage, this.keys.transcript, this.messages);
    this.emit('message', { ...full });
    return full;
  }

  /** Changes a transcript message in place (stored; no event: the text shown does not change). */
  private updateMessage(id: string, patch: Partial<Message>): void {
    const message = this.messages.find((candidate) => candidate.id === id);
    if (!message) return;
    Object.assign(message, patch);
    writeJson(this.storage, this.keys.transcript, this.messages);
  }

  /**
   * The transcript the team receives: customer/assistant/agent lines, newest kept within limits.
   * `text` is what the customer wrote or saw; `translation` the same line in the agents'
   * language (the machine translation of a customer line, the original of a translated answer).
   */
  private escalationTranscript(): { role: string; text: string; at: string; translation?: { text: string; language: string } }[] {
    const lines = this.messages
      .filter((message) => message.role !== 'system')
      .map((message) => {
        const translation = message.translation ?? message.original;
        return { role: message.role, text: message.text, at: message.at, ...(translation ? { translation: { ...translation } } : {}) };
      });
    let kept = lines.slice(-MAX_ESCALATION_MESSAGES);
    while (kept.length > 1 && kept.reduce((sum, line) => sum + line.text.length, 0) > MAX_ESCALATION_CHARS) {
      kept = kept.slice(1);
    }
    return kept;
  }

  /** The page's URL without query or fragment, which often carry tokens or personal data. */
  private pageUrl(): string {
    const location = (globalThis as { location?: Location }).location;
    return location ? `${location.origin}${location.pathname}` : '';
  }

  private shopNow(date: Date = new Date()): ShopLocalTime | null {
    const zone = this.shopInfo?.timezone;
    if (!zone) return null;
    try {
      return shopLocalTime(zone, date);
    } catch {
      return null;
    }
  }
}

/** Public shape of an assistant (what `createAssistant` resolves to). */
export type Assistant = Pick<
  KefuAssistant,
  | 'loaded'
  | 'status'
  | 'error'
  | 'shop'
  | 'coreVersion'
  | 'models'
  | 'translationState'
  | 'translationLanguages'
  | 'endpoint'
  | 'locale'
  | 'language'
  | 'maxMessageLength'
  | 'transcript'
  | 'conversationId'
  | 'escalationQueued'
  | 'strings'
  | 't'
  | 'on'
  | 'off'
  | 'emit'
  | 'setUser'
  | 'setOrder'
  | 'setLocale'
  | 'checkMessage'
  | 'ask'
  | 'escalate'
  | 'businessStatus'
  | 'translate'
  | 'storedContact'
  | 'reset'
  | 'dispose'
>;
