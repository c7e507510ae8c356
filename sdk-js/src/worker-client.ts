// Main-thread side of the worker protocol: one pending promise per request id.

import { InternalError, UnavailableError, errorFromStatus, type KefuError } from './errors.js';
import type { ProgressEvent, RequestMap, RequestType, WorkerReply } from './protocol.js';

export interface WorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: Event) => void): void;
  terminate(): void;
}

export class WorkerClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: KefuError) => void }>();
  private broken: KefuError | null = null;

  constructor(
    private readonly worker: WorkerLike,
    private readonly onProgress: (progress: ProgressEvent) => void = () => {},
  ) {
    worker.addEventListener('message', (event: MessageEvent) => this.receive(event.data as WorkerReply));
    worker.addEventListener('error', (event: Event) => {
      // A worker script that fails to load or throws at top level: every call fails from now on.
      const detail = (event as ErrorEvent).message || 'the worker script failed to load';
      this.fail(new UnavailableError(`kefu worker: ${detail}`));
    });
  }

  call<K extends RequestType>(type: K, payload: RequestMap[K]['payload']): Promise<RequestMap[K]['result']> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        this.worker.postMessage({ id, type, payload });
      } catch (cause) {
        this.pending.delete(id);
        reject(new InternalError(`could not post to the worker: ${(cause as Error).message}`));
      }
    });
  }

  terminate(): void {
    this.fail(new UnavailableError('the assistant was disposed'));
    this.worker.terminate();
  }

  private receive(reply: WorkerReply): void {
    if (!reply || typeof reply !== 'object') return;
    if ('type' in reply && reply.type === 'progress') {
      this.onProgress(reply.payload);
      return;
    }
    if (!('id' in reply)) return;
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if ('error' in reply) waiter.reject(errorFromStatus(reply.error));
    else waiter.resolve(reply.result);
  }

  private fail(error: KefuError): void {
    this.broken = error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
