#include "lp/transport_flow.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mdsd {
namespace {

// Capacities and flows in units of 2^-shift (transport_flow.hpp).
using Amount = unsigned __int128;

// The network of the header, compacted to the law's tokens. Set s owns the
// edges [set_begin[s], set_begin[s + 1]); token_edges lists, token by token,
// the edges that enter it. The s -> y edges are unbounded, so only their flow
// is stored (it is the capacity of the residual edge y -> s).
struct Network {
  std::vector<std::int32_t> token_id;  // compact token -> index into target
  std::vector<std::uint32_t> set_begin, edge_token, edge_set;
  std::vector<std::uint32_t> token_begin, token_edges;
  std::vector<Amount> source_capacity, source_flow;  // per set: Q_s
  std::vector<Amount> sink_capacity, sink_flow;      // per token: p_y
  std::vector<Amount> flow;                          // per s -> y edge
  int shift = 0;

  std::uint32_t sets() const { return static_cast<std::uint32_t>(source_capacity.size()); }
  std::uint32_t tokens() const { return static_cast<std::uint32_t>(sink_capacity.size()); }
};

Amount to_amount(double mass, int shift) {
  if (!(mass > 0.0)) return 0;  // also NaN
  return static_cast<Amount>(std::ldexp(mass, shift));  // truncates: rounds down
}

// Rounded down, so that a plan entry never exceeds the integer flow.
double to_mass(Amount amount, int shift) {
  double value = static_cast<double>(amount);
  if (static_cast<Amount>(value) > amount) value = std::nextafter(value, 0.0);
  return std::ldexp(value, -shift);
}

Network build_network(const Eigen::VectorXd& target, const std::vector<DraftSet>& law,
                      std::int64_t columns) {
  Network net;
  const auto sets = static_cast<std::uint32_t>(law.size());
  std::vector<std::int32_t> compact(static_cast<std::size_t>(target.size()), -1);
  net.set_begin.reserve(sets + 1);
  net.edge_token.reserve(static_cast<std::size_t>(columns));
  net.edge_set.reserve(static_cast<std::size_t>(columns));
  net.set_begin.push_back(0);
  for (std::uint32_t s = 0; s < sets; ++s) {
    for (std::int32_t token : law[s].tokens) {
      std::int32_t& id = compact[static_cast<std::size_t>(token)];
      if (id < 0) {
        id = static_cast<std::int32_t>(net.token_id.size());
        net.token_id.push_back(token);
      }
      net.edge_token.push_back(static_cast<std::uint32_t>(id));
      net.edge_set.push_back(s);
    }
    net.set_begin.push_back(static_cast<std::uint32_t>(net.edge_token.size()));
  }
  const auto tokens = static_cast<std::uint32_t>(net.token_id.size());
  // Edges grouped by token: a counting sort.
  net.token_begin.assign(tokens + 1, 0);
  for (std::uint32_t y : net.edge_token) ++net.token_begin[y + 1];
  for (std::uint32_t y = 0; y < tokens; ++y) net.token_begin[y + 1] += net.token_begin[y];
  net.token_edges.resize(net.edge_token.size());
  std::vector<std::uint32_t> next(net.token_begin.begin(), net.token_begin.end() - 1);
  for (std::uint32_t e = 0; e < net.edge_token.size(); ++e) net.token_edges[next[net.edge_token[e]]++] = e;

  // The scale: 2^shift * max(sum Q, sum p) < 2^124 (the sums in double are
  // within a relative 2^-20 of the exact ones, far inside the 2^4 margin).
  double total_set_mass = 0.0, total_target = 0.0;
  for (const DraftSet& set : law) total_set_mass += set.mass > 0.0 ? set.mass : 0.0;
  for (std::int32_t token : net.token_id) total_target += std::max(target[token], 0.0);
  const double total = std::max(total_set_mass, total_target);
  net.shift = total > 0.0 ? 123 - std::ilogb(total) : 0;
  net.source_capacity.resize(sets);
  for (std::uint32_t s = 0; s < sets; ++s) net.source_capacity[s] = to_amount(law[s].mass, net.shift);
  net.sink_capacity.resize(tokens);
  for (std::uint32_t y = 0; y < tokens; ++y) net.sink_capacity[y] = to_amount(target[net.token_id[y]], net.shift);
  net.source_flow.assign(sets, 0);
  net.sink_flow.assign(tokens, 0);
  net.flow.assign(net.edge_token.size(), 0);
  return net;
}

// Dinic's algorithm rather than push-relabel: its phase count is bounded by
// the length of the longest shortest augmenting path, which alternates sets
// and tokens, and each phase is two linear passes (a breadth-first search and
// a depth-first blocking flow with current-arc pointers); with the greedy
// start most of the flow is placed before the first phase, and the last
// search gives the minimum cut for free. Its bound, O(nodes^2 edges), holds
// whatever the capacities, which here span 2^124. The depth-first search is
// iterative: paths can be thousands of edges long, too deep for recursion on
// a WebAssembly stack.
class Dinic {
 public:
  explicit Dinic(Network& net)
      : net_(net), set_level_(net.sets()), token_level_(net.tokens()), set_arc_(net.sets()),
        token_arc_(net.tokens()) {}

  void run() {
    greedy_start();
    while (build_levels()) {
      std::copy(net_.set_begin.begin(), net_.set_begin.end() - 1, set_arc_.begin());
      std::copy(net_.token_begin.begin(), net_.token_begin.end() - 1, token_arc_.begin());
      for (std::uint32_t s = 0; s < net_.sets(); ++s) {
        if (set_level_[s] == 1) augment_from(s);
      }
    }
  }

  // After run(): the tokens reachable from the source in the residual graph.
  bool on_source_side(std::uint32_t token) const { return token_level_[token] >= 0; }

 private:
  static constexpr int kUnreached = -1, kDead = -2;
  struct Step {
    std::uint32_t node;
    bool is_token;
    std::uint32_t edge;  // the s -> y edge that reached it (forward to a token, backward to a set)
  };

  // Each set sends what its tokens still take, in order: a feasible flow.
  void greedy_start() {
    for (std::uint32_t s = 0; s < net_.sets(); ++s) {
      Amount left = net_.source_capacity[s];
      for (std::uint32_t e = net_.set_begin[s]; e < net_.set_begin[s + 1] && left > 0; ++e) {
        const std::uint32_t y = net_.edge_token[e];
        const Amount sent = std::min(left, net_.sink_capacity[y] - net_.sink_flow[y]);
        net_.flow[e] += sent;
        net_.sink_flow[y] += sent;
        left -= sent;
      }
      net_.source_flow[s] = net_.source_capacity[s] - left;
    }
  }

  // Breadth-first levels from the source; true when the sink is reached.
  // The search stops at the sink's level; without a sink it covers the
  // whole source side of the minimum cut.
  bool build_levels() {
    std::fill(set_level_.begin(), set_level_.end(), kUnreached);
    std::fill(token_level_.begin(), token_level_.end(), kUnreached);
    sink_level_ = std::numeric_limits<int>::max();
    queue_.clear();
    for (std::uint32_t s = 0; s < net_.sets(); ++s) {
      if (net_.source_flow[s] < net_.source_capacity[s]) {
        set_level_[s] = 1;
        queue_.push_back(s);
      }
    }
    const std::uint32_t sets = net_.sets();
    for (std::size_t head = 0; head < queue_.size(); ++head) {
      const std::uint32_t node = queue_[head];
      if (node < sets) {
        const int level = set_level_[node];
        if (level + 1 >= sink_level_) break;
        for (std::uint32_t e = net_.set_begin[node]; e < net_.set_begin[node + 1]; ++e) {
          const std::uint32_t y = net_.edge_token[e];
          if (token_level_[y] == kUnreached) {
            token_level_[y] = level + 1;
            queue_.push_back(sets + y);
          }
        }
      } else {
        const std::uint32_t y = node - sets;
        const int level = token_level_[y];
        if (level + 1 > sink_level_) break;
        if (net_.sink_flow[y] < net_.sink_capacity[y]) sink_level_ = level + 1;
        if (level + 1 >= sink_level_) continue;
        for (std::uint32_t k = net_.token_begin[y]; k < net_.token_begin[y + 1]; ++k) {
          const std::uint32_t e = net_.token_edges[k];
          const std::uint32_t s = net_.edge_set[e];
          if (set_level_[s] == kUnreached && net_.flow[e] > 0) {
            set_level_[s] = level + 1;
            queue_.push_back(s);
          }
        }
      }
    }
    return sink_level_ != std::numeric_limits<int>::max();
  }

  // Augments along level-increasing paths from `start` until its source
  // edge is saturated or no path is left; a node without a way on is marked
  // dead for the rest of the phase.
  void augment_from(std::uint32_t start) {
    path_.assign(1, Step{start, false, 0});
    while (!path_.empty() && net_.source_flow[start] < net_.source_capacity[start]) {
      const Step top = path_.back();
      if (top.is_token && token_level_[top.node] + 1 == sink_level_ &&
          net_.sink_flow[top.node] < net_.sink_capacity[top.node]) {
        augment(start);
        continue;
      }
      if (!advance(top)) {
        (top.is_token ? token_level_ : set_level_)[top.node] = kDead;
        path_.pop_back();
      }
    }
  }

  // Extends the path by one admissible edge from its last node.
  bool advance(const Step& top) {
    if (!top.is_token) {
      const int next_level = set_level_[top.node] + 1;
      if (next_level >= sink_level_) return false;
      for (std::uint32_t& e = set_arc_[top.node]; e < net_.set_begin[top.node + 1]; ++e) {
        const std::uint32_t y = net_.edge_token[e];
        if (token_level_[y] == next_level) {
          path_.push_back({y, true, e});
          return true;
        }
      }
      return false;
    }
    const int next_level = token_level_[top.node] + 1;
    if (next_level >= sink_level_) return false;
    for (std::uint32_t& k = token_arc_[top.node]; k < net_.token_begin[top.node + 1]; ++k) {
      const std::uint32_t e = net_.token_edges[k];
      const std::uint32_t s = net_.edge_set[e];
      if (set_level_[s] == next_level && net_.flow[e] > 0) {
        path_.push_back({s, false, e});
        return true;
      }
    }
    return false;
  }

  // Sends the path's bottleneck from the source to the sink, then cuts the
  // path back to before its first saturated edge.
  void augment(std::uint32_t start) {
    const std::uint32_t last = path_.back().node;
    Amount amount = std::min(net_.source_capacity[start] - net_.source_flow[start],
                             net_.sink_capacity[last] - net_.sink_flow[last]);
    for (std::size_t i = 1; i < path_.size(); ++i) {
      if (!path_[i].is_token) amount = std::min(amount, net_.flow[path_[i].edge]);
    }
    net_.source_flow[start] += amount;
    net_.sink_flow[last] += amount;
    for (std::size_t i = 1; i < path_.size(); ++i) {
      Amount& edge_flow = net_.flow[path_[i].edge];
      if (path_[i].is_token) {
        edge_flow += amount;
      } else {
        edge_flow -= amount;
      }
    }
    for (std::size_t i = 1; i < path_.size(); ++i) {
      if (!path_[i].is_token && net_.flow[path_[i].edge] == 0) {
        path_.resize(i);
        return;
      }
    }
    // Otherwise the source edge or the sink edge is saturated: augment_from()
    // stops, or the last token looks for another way on.
  }

  Network& net_;
  std::vector<int> set_level_, token_level_;
  int sink_level_ = 0;
  std::vector<std::uint32_t> set_arc_, token_arc_, queue_;
  std::vector<Step> path_;
};

}  // namespace

Expected<LpSolution> solve_transport_flow(const Eigen::VectorXd& target,
                                          const std::vector<DraftSet>& law,
                                          const LpOptions& options) {
  const std::int64_t columns = column_count(law);
  if (columns > options.max_columns) {
    return Error{"the LP has " + std::to_string(columns) + " columns, more than the limit of " +
                 std::to_string(options.max_columns) + " (lp.max_columns)"};
  }
  // Edge and set indices are 32-bit.
  if (columns >= std::int64_t{1} << 31 || law.size() >= std::size_t{1} << 31) {
    return Error{"the LP has " + std::to_string(columns) + " columns, more than the max-flow's 2^31"};
  }
  if (law.empty()) return Error{"the draft-set law is empty: no set to transport from"};
  for (const DraftSet& set : law) {
    if (!std::isfinite(set.mass)) return Error{"the draft-set law has a mass that is not finite"};
  }

  Network net = build_network(target, law, columns);
  Dinic dinic(net);
  dinic.run();

  LpSolution solution;
  solution.solver = "max_flow";
  solution.status = "optimal";
  solution.columns = columns;
  Amount value = 0;
  for (Amount sent : net.sink_flow) value += sent;
  solution.alpha = std::clamp(to_mass(value, net.shift), 0.0, 1.0);
  std::vector<bool> in_certificate(static_cast<std::size_t>(target.size()), false);
  for (std::uint32_t y = 0; y < net.tokens(); ++y) {
    if (dinic.on_source_side(y)) {
      solution.certificate.push_back(net.token_id[y]);
      in_certificate[static_cast<std::size_t>(net.token_id[y])] = true;
    }
  }
  std::sort(solution.certificate.begin(), solution.certificate.end());
  double certificate_target = 0.0;
  for (std::int32_t token : solution.certificate) certificate_target += target[token];
  solution.certificate_alpha =
      std::clamp(1.0 + certificate_target - mass_inside(law, in_certificate), 0.0, 1.0);
  for (std::uint32_t e = 0; e < net.flow.size(); ++e) {
    if (net.flow[e] == 0) continue;
    const double mass = to_mass(net.flow[e], net.shift);
    if (mass > 0.0) {
      solution.plan.push_back({net.token_id[net.edge_token[e]], static_cast<std::int32_t>(net.edge_set[e]), mass});
    }
  }
  return solution;
}

}  // namespace mdsd
