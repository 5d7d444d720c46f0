/** The step graph: topological order, cycle naming, descendants. Knows nothing about steps' meaning. */

export interface DagNode {
  readonly name: string;
  readonly needs: readonly string[];
}

/**
 * Kahn's algorithm in declaration order (stable, so plans and logs read top to bottom).
 * Returns the cycle's names, in order, when there is one.
 */
export function topologicalOrder(nodes: readonly DagNode[]): { order: string[] } | { cycle: string[] } {
  const indegree = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const n of nodes) {
    indegree.set(n.name, n.needs.length);
    for (const dep of n.needs) children.set(dep, [...(children.get(dep) ?? []), n.name]);
  }
  const ready = nodes.filter((n) => n.needs.length === 0).map((n) => n.name);
  const order: string[] = [];
  while (ready.length > 0) {
    const name = ready.shift()!;
    order.push(name);
    for (const child of children.get(name) ?? []) {
      const d = indegree.get(child)! - 1;
      indegree.set(child, d);
      if (d === 0) ready.push(child);
    }
  }
  if (order.length === nodes.length) return { order };
  return { cycle: findCycle(nodes, new Set(order)) };
}

function findCycle(nodes: readonly DagNode[], done: Set<string>): string[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, "open" | "closed">();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === "open") return [...stack.slice(stack.indexOf(name)), name];
    if (state.get(name) === "closed" || done.has(name)) return null;
    state.set(name, "open");
    stack.push(name);
    for (const dep of byName.get(name)?.needs ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(name, "closed");
    return null;
  };
  for (const n of nodes) {
    const found = visit(n.name);
    if (found) return found.reverse(); // dependency order: a -> b means b needs a
  }
  return [];
}

/** `names` and every step they depend on, transitively. */
export function withAncestors(nodes: readonly DagNode[], names: Iterable<string>): Set<string> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out = new Set<string>();
  const visit = (name: string) => {
    if (out.has(name)) return;
    out.add(name);
    for (const d of byName.get(name)?.needs ?? []) visit(d);
  };
  for (const n of names) visit(n);
  return out;
}

/** Mermaid flowchart text of the graph. */
export function toMermaid(nodes: readonly (DagNode & { type: string })[]): string {
  const id = (name: string) => name.replace(/[^A-Za-z0-9_]/g, "_");
  const lines = ["flowchart TD"];
  for (const n of nodes) lines.push(`  ${id(n.name)}["${n.name}<br/><small>${n.type}</small>"]`);
  for (const n of nodes) for (const d of n.needs) lines.push(`  ${id(d)} --> ${id(n.name)}`);
  return lines.join("\n");
}
