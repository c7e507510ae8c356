// A small typed event emitter. Listener exceptions are reported to the console and never stop
// the SDK or other listeners: host code must not be able to break the widget, and vice versa.

import { invalidChoice } from './errors.js';

export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(detail: never) => void>>();

  constructor(private readonly names: readonly (keyof Events & string)[]) {}

  /** Adds a listener; returns the function that removes it. Unknown names throw InvalidArgumentError. */
  on<K extends keyof Events & string>(name: K, listener: (detail: Events[K]) => void): () => void {
    this.check(name);
    if (typeof listener !== 'function') throw invalidChoice('listener', typeof listener, ['function']);
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (detail: never) => void);
    return () => this.off(name, listener);
  }

  off<K extends keyof Events & string>(name: K, listener: (detail: Events[K]) => void): void {
    this.check(name);
    this.listeners.get(name)?.delete(listener as (detail: never) => void);
  }

  emit<K extends keyof Events & string>(name: K, detail: Events[K]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        (listener as (detail: Events[K]) => void)(detail);
      } catch (error) {
        console.error(`[kefu] a "${name}" listener threw:`, error);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }

  private check(name: string): void {
    if (!this.names.includes(name)) throw invalidChoice('event', name, this.names);
  }
}
