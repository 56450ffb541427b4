/**
 * Binary min-heap keyed on (priority, insertion counter). The counter makes equal priorities
 * first-in first-out, which a bare heap does not guarantee, and makes the order a pure function
 * of the operations — so a queue rebuilt from a checkpoint pops in the same order as the original.
 */

interface Entry<T> {
  readonly item: T;
  readonly priority: number;
  readonly seq: number;
}

export class PriorityQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private nextSeq: number;

  /** `counter` resumes the insertion counter of a checkpointed queue. */
  constructor(
    private readonly priorityOf: (item: T) => number,
    counter = 0,
  ) {
    this.nextSeq = counter;
  }

  get size(): number {
    return this.heap.length;
  }

  /** The next insertion number; persist it so that order survives a restart. */
  get counter(): number {
    return this.nextSeq;
  }

  push(item: T): void {
    this.heap.push({ item, priority: this.priorityOf(item), seq: this.nextSeq++ });
    this.siftUp(this.heap.length - 1);
  }

  peek(): T | undefined {
    return this.heap[0]?.item;
  }

  pop(): T | undefined {
    return this.heap.length === 0 ? undefined : this.removeAt(0);
  }

  /** Removes and returns the first item (in heap order, not pop order) that matches. */
  removeWhere(matches: (item: T) => boolean): T | undefined {
    const index = this.heap.findIndex((entry) => matches(entry.item));
    return index < 0 ? undefined : this.removeAt(index);
  }

  find(matches: (item: T) => boolean): T | undefined {
    return this.heap.find((entry) => matches(entry.item))?.item;
  }

  /** Items in pop order, without popping. */
  toSortedArray(): T[] {
    return [...this.heap].sort(compareEntries).map((entry) => entry.item);
  }

  private removeAt(index: number): T {
    const removed = this.heap[index];
    const last = this.heap.pop();
    if (last === undefined) throw new Error(`priority queue: removeAt(${index}) on an empty heap`);
    if (index < this.heap.length) {
      this.heap[index] = last;
      // The moved entry may belong above or below its new slot; at most one of these moves it.
      this.siftUp(index);
      this.siftDown(index);
    }
    return removed.item;
  }

  private siftUp(index: number): void {
    let child = index;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (compareEntries(this.heap[child], this.heap[parent]) >= 0) return;
      this.swap(child, parent);
      child = parent;
    }
  }

  private siftDown(index: number): void {
    let parent = index;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < this.heap.length && compareEntries(this.heap[left], this.heap[smallest]) < 0) smallest = left;
      if (right < this.heap.length && compareEntries(this.heap[right], this.heap[smallest]) < 0) smallest = right;
      if (smallest === parent) return;
      this.swap(parent, smallest);
      parent = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const entry = this.heap[a];
    this.heap[a] = this.heap[b];
    this.heap[b] = entry;
  }
}

function compareEntries<T>(a: Entry<T>, b: Entry<T>): number {
  // Comparisons rather than subtraction: a difference of two huge priorities can overflow to ±Infinity.
  if (a.priority !== b.priority) return a.priority < b.priority ? -1 : 1;
  return a.seq - b.seq;
}
