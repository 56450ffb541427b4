/**
 * The folders of src/ form a one-way graph: cli → workflow → report → workdir → core, and so on,
 * never back. A cycle between two folders (cli/ and workflow/ importing each other, as they once
 * did) means neither can be read, tested or moved on its own. A folder's `index.ts` is its public
 * surface and may re-export its subfolders; every other import counts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function relativeImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(
    /(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g,
  )) {
    found.push(match[1] ?? match[2]);
  }
  return found;
}

/** folder → folders it imports from (folders relative to src/, '.' for src itself). */
function folderGraph(src: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(src)) {
    const from = relative(src, dirname(file)) || '.';
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
      const to = relative(src, dirname(resolve(dirname(file), spec))) || '.';
      const barrel = file.endsWith('/index.ts') && to.startsWith(`${from}/`);
      if (to !== from && !barrel) edges.add(to);
    }
  }
  return graph;
}

/** Every cycle found by a depth-first search, each as the path that closes it. */
function cyclesOf(graph: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('src/ folder imports', () => {
  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['cli', new Set(['workflow'])],
      ['workflow', new Set(['workdir', 'cli'])],
      ['workdir', new Set<string>()],
    ]);
    expect(cyclesOf(graph)).toEqual([['cli', 'workflow', 'cli']]);
  });

  it('sees the folders it is checking', () => {
    const graph = folderGraph(SRC);
    expect(graph.get('cli')).toContain('workdir');
    expect(graph.get('workflow')).toContain('workflow/launch');
  });

  it('has no cycle between folders', () => {
    expect(cyclesOf(folderGraph(SRC)).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});
