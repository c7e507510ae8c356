// What the SDK does with the core's understanding of a message: the public (camelCase) form,
// when the interface follows the customer's language, and when the shop's orderLookup hook is
// asked. Pure functions, so the rules are unit-tested without a browser.

import type { CoreAnalysis, CoreEntity } from './core-api.js';
import { LANGUAGES, type Language } from './i18n.js';

/** An entity found in a message: the core's shape is already the public one (see CoreEntity). */
export type Entity = CoreEntity;

/** The understanding models' analysis of one message; null fields: that model is not loaded. */
export interface Understanding {
  lang: string | null;
  langConfidence: number | null;
  intent: string | null;
  confidence: number | null;
  /** The three likeliest intents, best first. */
  top: { intent: string; score: number }[];
  sentiment: 'negative' | 'neutral' | 'positive' | null;
  sentimentConfidence: number | null;
  urgency: 'low' | 'normal' | 'high' | 'urgent' | null;
  urgencyConfidence: number | null;
  entities: Entity[];
}

export function toUnderstanding(core: CoreAnalysis | null | undefined): Understanding | null {
  if (!core || typeof core !== 'object') return null;
  return {
    lang: core.lang ?? null,
    langConfidence: core.lang_confidence ?? null,
    intent: core.intent ?? null,
    confidence: core.confidence ?? null,
    top: Array.isArray(core.top) ? core.top.map(({ intent, score }) => ({ intent, score })) : [],
    sentiment: core.sentiment ?? null,
    sentimentConfidence: core.sentiment_confidence ?? null,
    urgency: core.urgency ?? null,
    urgencyConfidence: core.urgency_confidence ?? null,
    entities: Array.isArray(core.entities) ? core.entities.map((entity) => ({ ...entity })) : [],
  };
}

/** The interface switches language only when the model is at least this sure... */
export const LANGUAGE_SWITCH_CONFIDENCE = 0.9;
/** ...and the message has at least this many words ("ok", "gracias" alone decide nothing). */
export const LANGUAGE_SWITCH_MIN_WORDS = 3;

/** Words in any script: Intl.Segmenter where available (CJK has no spaces), else whitespace. */
export function countWords(text: string): number {
  const Segmenter = (Intl as { Segmenter?: typeof Intl.Segmenter }).Segmenter;
  if (Segmenter) {
    let words = 0;
    for (const segment of new Segmenter(undefined, { granularity: 'word' }).segment(text)) if (segment.isWordLike) words++;
    return words;
  }
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

/** The interface language to switch to for this message, or null to keep `current`. */
export function languageToSwitchTo(understanding: Understanding | null, text: string, current: Language): Language | null {
  const lang = understanding?.lang;
  if (!lang || lang === current || !(LANGUAGES as readonly string[]).includes(lang)) return null;
  if ((understanding.langConfidence ?? 0) < LANGUAGE_SWITCH_CONFIDENCE) return null;
  if (countWords(text) < LANGUAGE_SWITCH_MIN_WORDS) return null;
  return lang as Language;
}

/** What the shop's orderLookup hook receives. */
export interface OrderLookupRequest {
  /** The order number as normalised by the core ("A1234" for "#A1234"). */
  orderNumber: string;
  /** The customer's message. */
  text: string;
  /** The message's language (detected; else the interface language). */
  language: string;
  /** 'track_order' or 'delivery_problem'. */
  intent: string;
}

/** The shop's hook: a non-empty string (or a promise of one) is shown as the answer. */
export type OrderLookupHandler = (request: OrderLookupRequest) => string | null | undefined | Promise<string | null | undefined>;

export const ORDER_LOOKUP_INTENTS: readonly string[] = ['track_order', 'delivery_problem'];
export const ORDER_LOOKUP_MIN_CONFIDENCE = 0.5;
export const ORDER_LOOKUP_TIMEOUT_MS = 5000;

/** The lookup to ask the shop for, or null when the message is not about a numbered order. */
export function orderLookupRequest(understanding: Understanding | null, text: string, fallbackLanguage: string): OrderLookupRequest | null {
  if (!understanding?.intent || !ORDER_LOOKUP_INTENTS.includes(understanding.intent)) return null;
  if ((understanding.confidence ?? 0) < ORDER_LOOKUP_MIN_CONFIDENCE) return null;
  const order = understanding.entities.find((entity) => entity.type === 'order_number' && entity.value);
  if (!order) return null;
  return { orderNumber: order.value, text, language: understanding.lang ?? fallbackLanguage, intent: understanding.intent };
}
