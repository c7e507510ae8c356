// The escalation outbox: a payload is written to storage before the first POST and stays there
// until the server has acknowledged it (2xx) or refused it for good (4xx other than 408/429).
// Delivery is exactly-once on the server side because every retry reuses the payload's
// idempotency key. Storage, fetch, clock and randomness are injected so the schedule is testable.

import { KefuError, InternalError, UnavailableError, errorFromStatus, InvalidArgumentError, OutOfRangeError } from './errors.js';
import { type KeyValueStorage, readJson, writeJson } from './storage.js';

/** One queued escalation. */
export interface OutboxItem {
  /** The payload's idempotency key; also sent as the `Idempotency-Key` header. */
  idempotencyKey: string;
  /** The redacted escalation payload, exactly as it will be POSTed. */
  payload: unknown;
  /** Failed delivery attempts so far. */
  attempts: number;
  /** Epoch milliseconds before which no retry is made. */
  nextAttemptAt: number;
  createdAt: number;
  lastError: string | null;
}

/** The server's answer to `POST /v1/escalations` (201, or 200 for a duplicate). */
export interface EscalationReceipt {
  conversation_id: string;
  token: string;
  status: string;
  duplicate: boolean;
}

export type DeliveryResult =
  | { status: 'delivered'; item: OutboxItem; receipt: EscalationReceipt }
  | { status: 'retry'; item: OutboxItem; delayMs: number; error: KefuError }
  | { status: 'rejected'; item: OutboxItem; error: KefuError };

export interface OutboxOptions {
  storage: KeyValueStorage;
  /** Storage key holding the JSON array of items. */
  storageKey: string;
  /** Base URL of the escalation server, e.g. `https://help.example`. */
  endpoint: string;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** Clock in epoch milliseconds. Default: Date.now. */
  now?: () => number;
  /** Uniform [0, 1) source for jitter. Default: Math.random. */
  random?: () => number;
}

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 60_000;
/** Upper bound for a server's Retry-After, so a misconfigured server cannot park a request for days. */
export const RETRY_AFTER_MAX_MS = 15 * 60_000;
const JITTER_FRACTION = 0.2;

/**
 * Delay before retry number `attempts` (1 after the first failure): 1 s, 2 s, 4 s, ... capped at
 * 60 s, plus up to 20 % jitter (still capped), so many shops' widgets do not retry in lockstep
 * after an outage. A server's Retry-After is honoured when longer.
 */
export function backoffDelay(attempts: number, random: number, retryAfterMs: number | null = null): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** exponent);
  const jittered = Math.min(BACKOFF_MAX_MS, Math.round(base * (1 + JITTER_FRACTION * random)));
  if (retryAfterMs != null && retryAfterMs > jittered) return Math.min(retryAfterMs, RETRY_AFTER_MAX_MS);
  return jittered;
}

/** Parses a Retry-After header (seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** True for statuses worth retrying: 408, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function isItem(value: unknown): value is OutboxItem {
  const item = value as OutboxItem;
  return !!item && typeof item === 'object' && typeof item.idempotencyKey === 'string' && 'payload' in item;
}

function errorForStatus(status: number, body: unknown): KefuError {
  const wire = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (wire && typeof wire === 'object') {
    const error = errorFromStatus(wire);
    error.message = `server answered ${status}: ${error.message}`;
    return error;
  }
  if (status === 413) return new OutOfRangeError(`server answered 413: escalation too large`);
  if (status >= 500 || status === 429 || status === 408) return new UnavailableError(`server answered ${status}`);
  return new InvalidArgumentError(`server answered ${status}`);
}

function parseReceipt(body: unknown): EscalationReceipt | null {
  const receipt = body as EscalationReceipt | null;
  if (!receipt || typeof receipt !== 'object') return null;
  if (typeof receipt.conversation_id !== 'string' || !receipt.conversation_id) return null;
  if (typeof receipt.token !== 'string' || !receipt.token) return null;
  return {
    conversation_id: receipt.conversation_id,
    token: receipt.token,
    status: typeof receipt.status === 'string' ? receipt.status : 'open',
    duplicate: receipt.duplicate === true,
  };
}

export class Outbox {
  private readonly storage: KeyValueStorage;
  private readonly storageKey: string;
  private readonly endpoint: string;
  private readonly fetchFn: OutboxOptions['fetch'];
  private readonly now: () => number;
  private readonly random: () => number;
  /** Items whose storage write failed (quota, blocked): still delivered during this page's life. */
  private readonly memoryOnly = new Map<string, OutboxItem>();
  private readonly inFlight = new Set<string>();

  constructor(options: OutboxOptions) {
    this.storage = options.storage;
    this.storageKey = options.storageKey;
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.fetchFn = options.fetch;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Every queued item, oldest first. */
  list(): OutboxItem[] {
    const stored = readJson<unknown[]>(this.storage, this.storageKey, []);
    const items = Array.isArray(stored) ? stored.filter(isItem) : [];
    for (const item of this.memoryOnly.values()) {
      if (!items.some((other) => other.idempotencyKey === item.idempotencyKey)) items.push(item);
    }
    return items;
  }

  /**
   * Queues a payload (it must carry `idempotency_key`) and persists it before anything is sent.
   * Returns the item and whether it reached storage; a re-enqueue of a known key is a no-op.
   */
  enqueue(payload: { idempotency_key: string }): { item: OutboxItem; persisted: boolean } {
    const key = payload?.idempotency_key;
    if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{8,128}$/.test(key)) {
      throw new InvalidArgumentError('payload.idempotency_key: must be 8..128 characters of [A-Za-z0-9_-]');
    }
    const items = this.list();
    const existing = items.find((item) => item.idempotencyKey === key);
    if (existing) return { item: existing, persisted: !this.memoryOnly.has(key) };
    const item: OutboxItem = {
      idempotencyKey: key,
      payload,
      attempts: 0,
      nextAttemptAt: this.now(),
      createdAt: this.now(),
      lastError: null,
    };
    const persisted = this.save([...items.filter((other) => !this.memoryOnly.has(other.idempotencyKey)), item]);
    if (!persisted) this.memoryOnly.set(key, item);
    return { item, persisted };
  }

  /** Milliseconds until the earliest queued item is due (0 = now), or null when the outbox is empty. */
  nextDueIn(): number | null {
    const items = this.list();
    if (items.length === 0) return null;
    const earliest = Math.min(...items.map((item) => item.nextAttemptAt));
    return Math.max(0, earliest - this.now());
  }

  /** Attempts every item that is due (or all of them with `force`, e.g. when the browser comes online). */
  async flush(options: { force?: boolean } = {}): Promise<DeliveryResult[]> {
    const now = this.now();
    const due = this.list().filter(
      (item) => (options.force || item.nextAttemptAt <= now) && !this.inFlight.has(item.idempotencyKey),
    );
    const results: DeliveryResult[] = [];
    for (const item of due) results.push(await this.deliver(item));
    return results;
  }

  /** POSTs one item with its idempotency key and updates the outbox from the outcome. */
  async deliver(item: OutboxItem): Promise<DeliveryResult> {
    this.inFlight.add(item.idempotencyKey);
    try {
      let response: Response;
      try {
        response = await this.fetchFn(`${this.endpoint}/v1/escalations`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': item.idempotencyKey },
          body: JSON.stringify(item.payload),
          credentials: 'omit',
          keepalive: false,
        });
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        return this.scheduleRetry(item, new UnavailableError(`network error: ${reason}`), null);
      }
      let body: unknown = null;
      try {
        body = await response.json();
      } catch {
        body = null;
      }
      if (response.ok) {
        this.remove(item.idempotencyKey);
        const receipt = parseReceipt(body);
        if (!receipt) {
          return { status: 'rejected', item, error: new InternalError('server accepted the escalation but sent no conversation_id/token') };
        }
        return { status: 'delivered', item, receipt };
      }
      const error = errorForStatus(response.status, body);
      if (isRetryableStatus(response.status)) {
        const retryAfter = parseRetryAfter(response.headers.get('Retry-After'), this.now());
        return this.scheduleRetry(item, error, retryAfter);
      }
      this.remove(item.idempotencyKey);
      return { status: 'rejected', item, error };
    } finally {
      this.inFlight.delete(item.idempotencyKey);
    }
  }

  /** Removes one item (delivered or refused). */
  remove(idempotencyKey: string): void {
    this.memoryOnly.delete(idempotencyKey);
    const items = readJson<unknown[]>(this.storage, this.storageKey, []);
    const kept = (Array.isArray(items) ? items.filter(isItem) : []).filter((item) => item.idempotencyKey !== idempotencyKey);
    if (kept.length === 0) {
      try {
        this.storage.removeItem(this.storageKey);
      } catch {
        // unreachable storage holds nothing to remove
      }
    } else {
      this.save(kept);
    }
  }

  /** Erases the whole outbox (used by `reset`). */
  clear(): void {
    this.memoryOnly.clear();
    try {
      this.storage.removeItem(this.storageKey);
    } catch {
      // nothing stored
    }
  }

  private scheduleRetry(item: OutboxItem, error: KefuError, retryAfterMs: number | null): DeliveryResult {
    const attempts = item.attempts + 1;
    const delayMs = backoffDelay(attempts, this.random(), retryAfterMs);
    const updated: OutboxItem = { ...item, attempts, nextAttemptAt: this.now() + delayMs, lastError: error.message };
    // Only rewrite an item that is still queued: a `reset` during the request must stay a reset.
    if (this.memoryOnly.has(item.idempotencyKey)) {
      this.memoryOnly.set(item.idempotencyKey, updated);
    } else {
      const items = this.list();
      if (items.some((other) => other.idempotencyKey === item.idempotencyKey)) {
        this.save(items.map((other) => (other.idempotencyKey === item.idempotencyKey ? updated : other)));
      }
    }
    return { status: 'retry', item: updated, delayMs, error };
  }

  private save(items: OutboxItem[]): boolean {
    return writeJson(
      this.storage,
      this.storageKey,
      items.filter((item) => !this.memoryOnly.has(item.idempotencyKey)),
    );
  }
}
