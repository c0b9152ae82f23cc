/** A binary min-heap of items keyed by time, ties broken by insertion order, so that pops are deterministic. */
export class TimeOrderedHeap<T> {
  private readonly times: number[] = [];
  private readonly orders: number[] = [];
  private readonly items: T[] = [];
  private inserted = 0;

  get size(): number {
    return this.items.length;
  }

  /** The smallest time held; only meaningful when `size` > 0. */
  peekTime(): number {
    return this.times[0];
  }

  push(time: number, item: T): void {
    let index = this.items.length;
    const order = this.inserted++;
    this.times.push(time);
    this.orders.push(order);
    this.items.push(item);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(time, order, parent)) break;
      this.move(parent, index);
      index = parent;
    }
    this.place(index, time, order, item);
  }

  /** Removes and returns the earliest item; the heap must not be empty. */
  pop(): T {
    const top = this.items[0];
    const lastTime = this.times.pop() as number;
    const lastOrder = this.orders.pop() as number;
    const lastItem = this.items.pop() as T;
    const size = this.items.length;
    if (size === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.before(this.times[right], this.orders[right], left) ? right : left;
      if (!this.before(this.times[child], this.orders[child], -1, lastTime, lastOrder)) break;
      this.move(child, index);
      index = child;
    }
    this.place(index, lastTime, lastOrder, lastItem);
    return top;
  }

  /** Whether (time, order) comes before the entry at `index` (or before (otherTime, otherOrder) when index < 0). */
  private before(time: number, order: number, index: number, otherTime?: number, otherOrder?: number): boolean {
    const t = index < 0 ? (otherTime as number) : this.times[index];
    const o = index < 0 ? (otherOrder as number) : this.orders[index];
    return time < t || (time === t && order < o);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from];
    this.orders[to] = this.orders[from];
    this.items[to] = this.items[from];
  }

  private place(index: number, time: number, order: number, item: T): void {
    this.times[index] = time;
    this.orders[index] = order;
    this.items[index] = item;
  }
}
