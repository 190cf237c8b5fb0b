// Independent values for the draft-tree tests (tree.test.mjs, tree-page.test.mjs):
// every tree enumerated, the tree model's formulas written out, and RRS's
// acceptance at each width by its own recursion over every draw.

// Every tree of at most `budget` draft nodes and at most `depth` levels whose
// nodes have children of ranks 1..k, k <= width: nodes are added one at a
// time under any node with room (the same tree comes up in several orders;
// that only repeats work). Calls visit({parents, ranks, depths}) for each.
export function everyTree(budget, depth, width, visit) {
  const parents = [], ranks = [], depths = [];
  const children = [0];  // per node, the root first (index 0 = root, draft node i = i + 1)
  const grow = () => {
    visit({ parents, ranks, depths });
    if (parents.length === budget) return;
    for (let node = 0; node < children.length; node++) {
      const level = node === 0 ? 0 : depths[node - 1];
      if (level >= depth || children[node] >= width) continue;
      children[node]++;
      parents.push(node - 1); ranks.push(children[node]); depths.push(level + 1); children.push(0);
      grow();
      parents.pop(); ranks.pop(); depths.pop(); children.pop();
      children[node]--;
    }
  };
  grow();
}

// 1 + sum over nodes of the product of p[rank] along the path.
export function tokensOf(p, parents, ranks) {
  const reach = [];
  let total = 1;
  for (let i = 0; i < parents.length; i++) {
    reach[i] = (parents[i] < 0 ? 1 : reach[parents[i]]) * p[ranks[i] - 1];
    total += reach[i];
  }
  return total;
}

export function treeDepth(parents) {
  const depths = [];
  for (let i = 0; i < parents.length; i++) depths[i] = parents[i] < 0 ? 1 : depths[parents[i]] + 1;
  return Math.max(0, ...depths);
}

// The time of a target call verifying `tokens` tokens: linear between measured points.
export function callTime(points, tokens) {
  if (points.length === 1) return points[0][1];
  for (let k = 1; k < points.length; k++) {
    const [n0, t0] = points[k - 1], [n1, t1] = points[k];
    if (tokens <= n1) return t0 + ((t1 - t0) * (tokens - n0)) / (n1 - n0);
  }
  return null;  // beyond the last point: not considered
}

// RRS acceptance at n = 1..width, by the recursion of README "Verifiers":
// draft k is tested against the residual r_k; with replacement the drafts are
// independent, without replacement each comes from q with the drafted tokens
// removed, and the test is against that renormalised q. Every draw enumerated.
export function rrsAcceptance(p, q, width, withReplacement) {
  const accepted = new Array(width).fill(0);  // P(accepted at draft k)
  const step = (residual, drafted, chance, k) => {
    if (k === width || chance === 0) return;
    const free = q.map((v, i) => (withReplacement || !drafted.includes(i) ? v : 0));
    const mass = free.reduce((a, b) => a + b, 0);
    if (mass <= 0) return;
    for (let x = 0; x < q.length; x++) {
      if (free[x] === 0) continue;
      const qx = free[x] / mass;
      const accept = Math.min(1, residual[x] / qx);
      accepted[k] += chance * qx * accept;
      const left = residual.map((r, i) => Math.max(0, r - free[i] / mass));
      const total = left.reduce((a, b) => a + b, 0);
      if (accept < 1 && total > 0) step(left.map((v) => v / total), [...drafted, x], chance * qx * (1 - accept), k + 1);
    }
  };
  step(p, [], 1, 0);
  return accepted;
}

