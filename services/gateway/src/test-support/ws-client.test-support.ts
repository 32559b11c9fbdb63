/** A WebSocket test client over the real `ws` library: collects frames, waits for one that matches. */
import { WebSocket } from 'ws';

export class WsClient {
  readonly frames: unknown[] = [];
  closeCode: number | undefined;
  private waiters: { match: (f: unknown) => boolean; resolve: (f: unknown) => void }[] = [];
  private closeWaiters: ((code: number) => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as unknown;
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.match(frame)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(frame);
        }
      }
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.closeWaiters) w(code);
    });
  }

  static open(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const client = new WsClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first frame (already received or coming) that matches. */
  next<T = Record<string, unknown>>(match: (f: Record<string, unknown>) => boolean, timeoutMs = 5_000): Promise<T> {
    const m = match as (f: unknown) => boolean;
    const seen = this.frames.find(m);
    if (seen !== undefined) return Promise.resolve(seen as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-3))}`)), timeoutMs);
      this.waiters.push({ match: m, resolve: (f) => (clearTimeout(timer), resolve(f as T)) });
    });
  }

  /** SUBSCRIBE / other control call; resolves with the reply of that id. */
  async call(method: string, params: unknown[], id: number): Promise<Record<string, unknown>> {
    this.send({ method, params, id });
    return this.next((f) => f.id === id);
  }

  closed(timeoutMs = 5_000): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.closeWaiters.push((code) => (clearTimeout(timer), resolve(code)));
    });
  }

  close(): void {
    this.socket.close();
  }
}

export const settle = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));
