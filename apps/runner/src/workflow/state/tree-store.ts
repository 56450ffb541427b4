/**
 * The experiment tree in memory, mirrored to `engine/tree.json` (whole file, atomically) and to
 * `engine/nodes/<id>/status.txt` on every change. Jobs run concurrently and each reports its own
 * transitions, so writes are chained: every write carries every change made before it.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../workdir/atomic-file.js';
import { readJsonFile } from '../../workdir/file-errors.js';
import { TreeSchema, type TreeNode } from './tree-schema.js';
import type { WorkflowPaths } from './workflow-paths.js';

export class TreeStore {
  private readonly nodes = new Map<string, TreeNode>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly paths: WorkflowPaths) {}

  static async open(paths: WorkflowPaths): Promise<TreeStore> {
    const store = new TreeStore(paths);
    const nodes = await readJsonFile(
      paths.tree,
      TreeSchema,
      'engine/tree.json',
      'Nothing was started; fix that field or restore the file.',
    );
    for (const node of nodes ?? []) store.nodes.set(node.id, node);
    return store;
  }

  get(id: string): TreeNode | undefined {
    return this.nodes.get(id);
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  /** In creation order. */
  all(): TreeNode[] {
    return [...this.nodes.values()];
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Adds nodes that are not there yet (a re-run after a crash may offer the same ones again). */
  async add(nodes: readonly TreeNode[]): Promise<void> {
    const added = nodes.filter((node) => !this.nodes.has(node.id));
    for (const node of added) this.nodes.set(node.id, node);
    if (added.length === 0) return;
    await this.flush(added.map((node) => node.id));
  }

  async update(id: string, change: Partial<TreeNode>): Promise<TreeNode> {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`tree has no node ${id}`);
    const next = { ...node, ...change };
    this.nodes.set(id, next);
    await this.flush(node.status === next.status ? [] : [id]);
    return next;
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.nodes.delete(id);
    await this.flush([]);
  }

  /** Writes a file of a node's folder, engine/nodes/<id>/<name>. */
  async writeNodeFile(id: string, name: string, value: unknown): Promise<void> {
    const dir = this.paths.nodeDir(id);
    await mkdir(dir, { recursive: true });
    await writeJsonAtomic(join(dir, name), value);
  }

  private flush(statusChanged: readonly string[]): Promise<void> {
    const snapshot = this.all();
    const write = this.writing.then(async () => {
      await writeJsonAtomic(this.paths.tree, snapshot);
      for (const id of statusChanged) {
        const node = snapshot.find((n) => n.id === id);
        if (!node) continue;
        await mkdir(this.paths.nodeDir(id), { recursive: true });
        await writeFileAtomic(join(this.paths.nodeDir(id), 'status.txt'), node.status + '\n');
      }
    });
    this.writing = write.catch(() => {});
    return write;
  }
}
