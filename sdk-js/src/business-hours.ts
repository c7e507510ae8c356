// Shop-local time for the core's business-hours policy. The browser knows the customer's clock;
// the KB names the shop's IANA time zone; Intl converts between them, DST included.

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** What the core's `ask` and `businessStatus` take as "now": shop-local weekday and minutes since midnight. */
export interface ShopLocalTime {
  weekday: Weekday;
  minutes: number;
}

/**
 * The shop-local weekday and minute of `date` in `timeZone`. Throws RangeError for an unknown
 * time zone (the caller treats that as "no business-hours information").
 */
export function shopLocalTime(timeZone: string, date: Date = new Date()): ShopLocalTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  const weekday = get('weekday').slice(0, 3).toLowerCase() as Weekday;
  if (!WEEKDAYS.includes(weekday)) throw new RangeError(`unexpected weekday ${JSON.stringify(get('weekday'))}`);
  const hour = Number(get('hour')) % 24;
  const minute = Number(get('minute'));
  return { weekday, minutes: hour * 60 + minute };
}

/** The weekday's name in the customer's language ("Monday", "lundi", "月曜日"). */
export function weekdayName(weekday: Weekday, locale: string): string {
  // 2024-01-01 was a Monday; formatted in UTC so the host's zone cannot shift the day.
  const date = new Date(Date.UTC(2024, 0, 1 + WEEKDAYS.indexOf(weekday), 12));
  try {
    return new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(date);
  } catch {
    return new Intl.DateTimeFormat('en', { weekday: 'long', timeZone: 'UTC' }).format(date);
  }
}
