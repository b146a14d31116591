/**
 * Edits of one message go out one at a time, the newest last. Slack applies chat.update in the order
 * it receives them, and an edit can be slow or retried: sent side by side, an older view could land
 * over a newer one (a cutover timeline left "running", without its Resume button, after the run
 * failed). An edit asked for while one is in flight waits for it; a newer one asked for meanwhile
 * replaces it unsent, and its caller learns the outcome of the edit that replaced it.
 */
export class MessageEdits<V> {
  private readonly queues = new Map<string, Queue<V>>();

  constructor(private readonly send: (view: V) => Promise<void>) {}

  edit(message: string, view: V): Promise<void> {
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(message);
      if (!queue) {
        queue = { running: false };
        this.queues.set(message, queue);
      }
      queue.next = { view, waiters: [...(queue.next?.waiters ?? []), { resolve, reject }] };
      if (!queue.running) void this.drain(message, queue);
    });
  }

  private async drain(message: string, queue: Queue<V>): Promise<void> {
    queue.running = true;
    while (queue.next) {
      const { view, waiters } = queue.next;
      queue.next = undefined;
      try {
        await this.send(view);
        for (const w of waiters) w.resolve();
      } catch (e) {
        for (const w of waiters) w.reject(e);
      }
    }
    this.queues.delete(message);
  }
}

interface Queue<V> {
  running: boolean;
  next?: { view: V; waiters: { resolve: () => void; reject: (e: unknown) => void }[] };
}
