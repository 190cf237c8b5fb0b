// dataset/llama_logits_file and `mdsd batch` on llama.cpp logit files. The
// files are written here as llama.cpp's llama-perplexity writes them
// (tools/perplexity/perplexity.cpp: log_softmax() with its float arithmetic
// and its rounding by nearest_int(), rows n_ctx/2 .. n_ctx - 2 of each chunk)
// from synthetic logits whose true distributions are known; alpha* of the
// decoded rows is compared with the brute force of support.hpp on the true
// ones, within the quantisation bound README.md "llama.cpp files" derives.
#include "support.hpp"

#include "dataset/llama_logits_file.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace mdsd::test {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------ the writer, as llama.cpp has it

// llama.cpp's round-to-nearest (ties to even) through the float mantissa.
int nearest_int(float value) {
  const float shifted = value + 12582912.f;
  std::int32_t bits;
  std::memcpy(&bits, &shifted, sizeof bits);
  return (bits & 0x007fffff) - 0x00400000;
}

struct EncodedRow {
  float scale = 0, min_log_prob = 0;
  std::vector<std::uint16_t> values;
};

EncodedRow encode_row(const std::vector<float>& logits) {
  const int n_vocab = static_cast<int>(logits.size());
  float max_logit = logits[0], min_logit = logits[0];
  for (int i = 1; i < n_vocab; ++i) {
    max_logit = std::max(max_logit, logits[i]);
    min_logit = std::min(min_logit, logits[i]);
  }
  min_logit = std::max(min_logit, max_logit - 16);
  double sum_exp = 0.0;
  for (int i = 0; i < n_vocab; ++i) sum_exp += expf(logits[i] - max_logit);
  const float log_sum_exp = static_cast<float>(std::log(sum_exp));
  EncodedRow row;
  row.min_log_prob = min_logit - max_logit - log_sum_exp;
  row.scale = (max_logit - min_logit) / 65535.f;
  row.values.assign(static_cast<std::size_t>(n_vocab), 0);
  if (row.scale != 0.0f) {
    const float inv_scale = 1 / row.scale;
    for (int i = 0; i < n_vocab; ++i) {
      row.values[i] = logits[i] > min_logit ? static_cast<std::uint16_t>(nearest_int(inv_scale * (logits[i] - min_logit))) : 0;
    }
  }
  return row;
}

void put32(std::string& bytes, std::uint32_t value) {
  for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<char>((value >> (8 * b)) & 0xff));
}

std::string header_bytes(std::int32_t n_ctx, std::int32_t n_vocab, std::int32_t n_chunk) {
  std::string bytes = "_logits_";
  put32(bytes, static_cast<std::uint32_t>(n_ctx));
  put32(bytes, static_cast<std::uint32_t>(n_vocab));
  put32(bytes, static_cast<std::uint32_t>(n_chunk));
  return bytes;
}

std::string row_bytes(const EncodedRow& row) {
  std::string bytes;
  put32(bytes, std::bit_cast<std::uint32_t>(row.scale));
  put32(bytes, std::bit_cast<std::uint32_t>(row.min_log_prob));
  for (std::uint16_t v : row.values) {
    bytes.push_back(static_cast<char>(v & 0xff));
    bytes.push_back(static_cast<char>(v >> 8));
  }
  if (row.values.size() % 2) bytes.append(2, '\0');  // padded to an even count
  return bytes;
}

// One model's run: n_chunk chunks of n_ctx tokens, rows_per_chunk rows each.
struct Run {
  std::int32_t n_ctx = 0, n_vocab = 0, n_chunk = 0;
  std::vector<std::int32_t> tokens;
  std::vector<std::vector<float>> logits;  // one per row
  std::string bytes() const {
    std::string out = header_bytes(n_ctx, n_vocab, n_chunk);
    for (std::int32_t token : tokens) put32(out, static_cast<std::uint32_t>(token));
    for (const auto& row : logits) out += row_bytes(encode_row(row));
    return out;
  }
};

std::int64_t rows_per_chunk(std::int32_t n_ctx) { return n_ctx - 1 - n_ctx / 2; }

// A target run and a draft run on one text: target logits normal(0, spread),
// the draft's a noisy copy; each row cut to [-half_range, half_range] when
// half_range > 0 (a row spanning less than 16 nats is stored unclamped).
std::pair<Run, Run> synthetic_runs(std::int32_t n_ctx, std::int32_t n_vocab, std::int32_t n_chunk, double spread,
                                   double half_range, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_int_distribution<std::int32_t> token(0, n_vocab - 1);
  Run target, draft;
  for (Run* run : {&target, &draft}) {
    run->n_ctx = n_ctx;
    run->n_vocab = n_vocab;
    run->n_chunk = n_chunk;
  }
  for (std::int64_t k = 0; k < std::int64_t{n_ctx} * n_chunk; ++k) target.tokens.push_back(token(rng));
  draft.tokens = target.tokens;
  auto cut = [&](double x) { return half_range > 0 ? std::clamp(x, -half_range, half_range) : x; };
  for (std::int64_t r = 0; r < rows_per_chunk(n_ctx) * n_chunk; ++r) {
    std::vector<float> p(static_cast<std::size_t>(n_vocab)), q(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double logit = spread * normal(rng);
      p[i] = static_cast<float>(cut(logit));
      q[i] = static_cast<float>(cut(logit + 0.6 * spread * normal(rng)));
    }
    target.logits.push_back(p);
    draft.logits.push_back(q);
  }
  return {target, draft};
}

// The true distribution of float logits, in double.
Eigen::VectorXd softmax_of(const std::vector<float>& logits) {
  Eigen::VectorXd p(static_cast<Eigen::Index>(logits.size()));
  const double top = *std::max_element(logits.begin(), logits.end());
  for (std::size_t i = 0; i < logits.size(); ++i) p[static_cast<Eigen::Index>(i)] = std::exp(logits[i] - top);
  return p / p.sum();
}

// Half a quantisation step plus the float rounding of the writer (README).
double decode_bound(const EncodedRow& row) { return 0.5 * row.scale + 1e-5; }

// ---------------------------------------------------------------- running mdsd

using Ran = ScratchFolder::Run;

struct LlamaScratch : ScratchFolder {
  LlamaScratch() : ScratchFolder("mdsd_llama_test") {}
  Ran run(const std::string& arguments, const std::string& before = "") const { return run_mdsd(arguments, before); }
};


nlohmann::json summary_of(const Ran& ran) {
  INFO("stderr: " << ran.err);
  REQUIRE(ran.status == 0);
  auto json = nlohmann::json::parse(ran.out, nullptr, false);
  REQUIRE_FALSE(json.is_discarded());
  return json;
}

}  // namespace

TEST_CASE("llama.cpp logits: unclamped rows decode to within half a quantisation step of the true log-probabilities") {
  const LlamaScratch scratch;
  // n_vocab odd (a padded row) and even; rows span less than 16 nats.
  for (const std::int32_t n_vocab : {9, 1000}) {
    CAPTURE(n_vocab);
    const auto [target, draft] = synthetic_runs(10, n_vocab, 3, 2.5, 7.9, 11 + n_vocab);
    const std::string path = scratch.write("t.kld", target.bytes());
    auto reader = LlamaLogitsReader::open(path);
    REQUIRE_MESSAGE(reader.ok(), reader.error());
    LlamaLogitsReader& file = *reader.value();
    CHECK(file.n_ctx() == 10);
    CHECK(file.n_vocab() == n_vocab);
    CHECK(file.n_chunk() == 3);
    CHECK(file.rows() == 12);  // 10 - 1 - 5 = 4 rows per chunk
    CHECK(file.tokens() == target.tokens);
    CHECK(file.position_of(0) == "chunk 0, position 6");
    CHECK(file.position_of(7) == "chunk 1, position 9");
    double largest_step_fraction = 0.0;
    for (std::size_t r = 0; r < target.logits.size(); ++r) {
      CAPTURE(r);
      DistributionSpec spec;
      auto more = file.next(spec);
      REQUIRE_MESSAGE(more.ok(), more.error());
      REQUIRE(more.value());
      REQUIRE(spec.kind == DistributionSpec::Kind::logits);
      REQUIRE(spec.values.size() == n_vocab);
      const EncodedRow row = encode_row(target.logits[r]);
      const Eigen::VectorXd p = softmax_of(target.logits[r]);
      double worst = 0.0;
      for (Eigen::Index i = 0; i < n_vocab; ++i) worst = std::max(worst, std::abs(spec.values[i] - std::log(p[i])));
      CHECK(worst <= decode_bound(row));
      largest_step_fraction = std::max(largest_step_fraction, worst / row.scale);
    }
    // The bound is not slack: the rounding reaches most of half a step.
    CHECK(largest_step_fraction >= 0.4);
    DistributionSpec spec;
    auto end = file.next(spec);
    REQUIRE(end.ok());
    CHECK_FALSE(end.value());
  }
}

TEST_CASE("llama.cpp logits: alpha* of decoded unclamped rows is within the quantisation bound of the true alpha*") {
  const LlamaScratch scratch;
  const auto [target, draft] = synthetic_runs(12, 9, 2, 2.0, 7.5, 5);
  const std::string t = scratch.write("t.kld", target.bytes()), d = scratch.write("d.kld", draft.bytes());
  auto target_file = LlamaLogitsReader::open(t);
  auto draft_file = LlamaLogitsReader::open(d);
  REQUIRE(target_file.ok());
  REQUIRE(draft_file.ok());
  CHECK_FALSE(check_llama_pair(*target_file.value(), t, *draft_file.value(), d).has_value());
  auto softmax_values = [](const DistributionSpec& spec) {
    Eigen::VectorXd p = (spec.values.array() - spec.values.maxCoeff()).exp();
    return Eigen::VectorXd(p / p.sum());
  };
  int compared = 0;
  for (std::size_t r = 0; r < target.logits.size(); ++r) {
    DistributionSpec p_spec, q_spec;
    REQUIRE(target_file.value()->next(p_spec).value());
    REQUIRE(draft_file.value()->next(q_spec).value());
    const Eigen::VectorXd p = softmax_of(target.logits[r]), q = softmax_of(draft.logits[r]);
    const Eigen::VectorXd p_decoded = softmax_values(p_spec), q_decoded = softmax_values(q_spec);
    const double dp = decode_bound(encode_row(target.logits[r])), dq = decode_bound(encode_row(draft.logits[r]));
    // Renormalised, every probability is within a factor e^(2 delta).
    CHECK((p_decoded - p).cwiseAbs().sum() <= std::expm1(2 * dp));
    for (int drafts : {1, 2, 3}) {
      CAPTURE(drafts);
      struct Bound {
        DraftMethod method;
        double q_factor;  // Q(H) moves by at most e^(q_factor * delta_q) - 1
      };
      for (const Bound bound : {Bound{DraftMethod::with_replacement, 2.0 * drafts},
                                Bound{DraftMethod::without_replacement, 4.0 * drafts}, Bound{DraftMethod::greedy, 4.0}}) {
        if (bound.method == DraftMethod::greedy &&
            brute_greedy_fixed(q, drafts) != brute_greedy_fixed(q_decoded, drafts)) {
          continue;  // the fixed drafts moved: greedy's alpha* jumps
        }
        const double truth = brute_optimal_rate(p, brute_set_law(q, drafts, bound.method)).alpha;
        const double decoded = brute_optimal_rate(p_decoded, brute_set_law(q_decoded, drafts, bound.method)).alpha;
        CHECK(std::abs(decoded - truth) <= std::expm1(2 * dp) + std::expm1(bound.q_factor * dq));
        ++compared;
      }
    }
  }
  CHECK(compared >= 40);
}

TEST_CASE("llama.cpp logits: clamped rows are sparse, every clamped token at most the floor") {
  const LlamaScratch scratch;
  // Spread 5: rows span far more than 16 nats.
  const auto [target, draft] = synthetic_runs(8, 2001, 2, 5.0, 0.0, 3);
  auto reader = LlamaLogitsReader::open(scratch.write("t.kld", target.bytes()));
  REQUIRE(reader.ok());
  for (std::size_t r = 0; r < target.logits.size(); ++r) {
    CAPTURE(r);
    DistributionSpec spec;
    REQUIRE(reader.value()->next(spec).value());
    REQUIRE(spec.kind == DistributionSpec::Kind::sparse);
    const SparseListSpec& sparse = spec.sparse;
    CHECK(sparse.log);
    CHECK(sparse.unlisted == SparseListSpec::Unlisted::floor);
    CHECK(sparse.vocab == 2001);
    const EncodedRow row = encode_row(target.logits[r]);
    CHECK(sparse.floor_logprob == doctest::Approx(row.min_log_prob + 0.5 * row.scale + 1e-5).epsilon(1e-12));
    const Eigen::VectorXd p = softmax_of(target.logits[r]);
    std::vector<bool> listed(2001, false);
    REQUIRE(sparse.ids.size() == sparse.values.size());
    for (std::size_t k = 0; k < sparse.ids.size(); ++k) {
      const auto i = sparse.ids[k];
      REQUIRE(i >= 0);
      REQUIRE(i < 2001);
      CHECK(row.values[i] > 0);
      listed[i] = true;
      CHECK(std::abs(sparse.values[k] - std::log(p[i])) <= decode_bound(row));
    }
    int clamped = 0;
    for (Eigen::Index i = 0; i < 2001; ++i) {
      if (listed[i]) continue;
      CHECK(row.values[i] == 0);
      CHECK(std::log(p[i]) <= sparse.floor_logprob);
      ++clamped;
    }
    CHECK(clamped > 0);
  }
}

TEST_CASE("mdsd batch on a llama.cpp pair equals batch of the decoded rows as JSON Lines, and holds the truth") {
  const LlamaScratch scratch;
  const auto [target, draft] = synthetic_runs(16, 9, 3, 2.0, 7.5, 21);
  scratch.write("t.kld", target.bytes());
  scratch.write("d.kld", draft.bytes());
  // The rows as decoded by hand: log p = scale * v + min_log_prob.
  std::string lines;
  for (std::size_t r = 0; r < target.logits.size(); ++r) {
    nlohmann::json line;
    for (auto [name, logits] : {std::pair{"target", &target.logits[r]}, std::pair{"draft", &draft.logits[r]}}) {
      const EncodedRow row = encode_row(*logits);
      std::vector<double> decoded;
      for (std::uint16_t v : row.values) decoded.push_back(static_cast<double>(row.scale) * v + row.min_log_prob);
      line[name] = {{"logits", decoded}, {"log_tolerance", decode_bound(row)}};
    }
    lines += line.dump() + "\n";
  }
  scratch.write("x.jsonl", lines);
  const auto llama = summary_of(scratch.run("batch --drafts 1-3 t.kld d.kld"));
  const auto jsonl = summary_of(scratch.run("batch --drafts 1-3 x.jsonl"));
  const auto forced = summary_of(scratch.run("batch --drafts 1-3 --format llama t.kld d.kld"));
  CHECK(llama["positions"] == 3 * rows_per_chunk(16));
  CHECK(llama["vocab"] == 9);
  CHECK(llama == forced);
  CHECK(llama["sweep"] == jsonl["sweep"]);
  // The mean of the true alpha* (brute force) inside the mean interval,
  // which the quantisation bound widens.
  for (std::size_t s = 0; s < 3; ++s) {
    const int drafts = static_cast<int>(s) + 1;
    double truth = 0.0;
    for (std::size_t r = 0; r < target.logits.size(); ++r) {
      truth += brute_optimal_rate(softmax_of(target.logits[r]),
                                  brute_set_law(softmax_of(draft.logits[r]), drafts, DraftMethod::with_replacement)).alpha;
    }
    truth /= static_cast<double>(target.logits.size());
    const auto& interval = llama["sweep"][s]["mean"]["optimal"]["with_replacement"]["interval"];
    CHECK(interval[0].get<double>() <= truth + 1e-12);
    CHECK(truth <= interval[1].get<double>() + 1e-12);
    CHECK(interval[1].get<double>() - interval[0].get<double>() < 0.01);
  }
}

TEST_CASE("mdsd batch on clamped llama.cpp rows: the interval, widened by the quantisation bound, holds the true alpha*") {
  const LlamaScratch scratch;
  // Spread 4: most rows span more than 16 nats and are clamped.
  const auto [target, draft] = synthetic_runs(10, 400, 2, 4.0, 0.0, 17);
  scratch.write("t.kld", target.bytes());
  scratch.write("d.kld", draft.bytes());
  std::string truth_lines;
  int clamped = 0;
  for (std::size_t r = 0; r < target.logits.size(); ++r) {
    const Eigen::VectorXd p = softmax_of(target.logits[r]), q = softmax_of(draft.logits[r]);
    const nlohmann::json line = {{"target", std::vector<double>(p.data(), p.data() + p.size())},
                                 {"draft", std::vector<double>(q.data(), q.data() + q.size())}};
    truth_lines += line.dump() + "\n";
    clamped += encode_row(target.logits[r]).scale * 65535.0f > 15.99f;
  }
  CHECK(clamped >= 6);
  scratch.write("truth.jsonl", truth_lines);
  const Ran bounds = scratch.run("batch --drafts 1-3 --verifiers '' --per-position bounds.json t.kld d.kld");
  INFO(bounds.err);
  REQUIRE(bounds.status == 0);
  const Ran truth = scratch.run("batch --drafts 1-3 --verifiers '' --per-position truth.json truth.jsonl");
  INFO(truth.err);
  REQUIRE(truth.status == 0);
  const auto intervals = nlohmann::json::parse(slurp(scratch.path("bounds.json")));
  const auto exact = nlohmann::json::parse(slurp(scratch.path("truth.json")));
  REQUIRE(intervals.size() == target.logits.size() * 3);
  REQUIRE(exact.size() == intervals.size());
  int open = 0;
  for (std::size_t i = 0; i < exact.size(); ++i) {
    CAPTURE(i);
    const std::size_t r = i / 3;
    const int drafts = exact[i]["drafts"].get<int>();
    const double dp = decode_bound(encode_row(target.logits[r])), dq = decode_bound(encode_row(draft.logits[r]));
    for (const auto& entry : {std::pair{"with_replacement", 2.0 * drafts}, std::pair{"without_replacement", 4.0 * drafts}}) {
      const std::string method = entry.first;
      const double q_factor = entry.second;
      CAPTURE(method);
      const double alpha = exact[i]["optimal"][method].get<double>();
      const auto& interval = intervals[i]["optimal"][method];
      // A clamped row is an interval; an unclamped one a number.
      const double lo = interval.is_array() ? interval[0].get<double>() : interval.get<double>();
      const double hi = interval.is_array() ? interval[1].get<double>() : interval.get<double>();
      // Widened by the quantisation bound, the interval holds the truth; the
      // widening is not more than twice that bound beyond the clamped tails.
      const double bound = std::expm1(2 * dp) + std::expm1(q_factor * dq);
      CHECK(lo <= alpha + 1e-12);
      CHECK(alpha <= hi + 1e-12);
      CHECK(lo >= alpha - 2 * bound - 0.05);
      open += interval.is_array() && hi - lo > 1e-9;
    }
  }
  CHECK(open > 0);
}

TEST_CASE("mdsd batch --progress reports positions done on stderr") {
  const LlamaScratch scratch;
  const auto [target, draft] = synthetic_runs(64, 300, 3, 2.0, 7.5, 8);
  scratch.write("t.kld", target.bytes());
  scratch.write("d.kld", draft.bytes());
  const Ran ran = scratch.run("batch --drafts 2 --verifiers '' --progress t.kld d.kld");
  INFO(ran.err);
  REQUIRE(ran.status == 0);
  CHECK(starts_with(ran.err, "mdsd batch: "));
  CHECK(ran.err.ends_with("mdsd batch: 93 / 93 positions (100%)\n"));
  // Without --progress, and not on a terminal: nothing on stderr.
  const Ran quiet = scratch.run("batch --drafts 2 --verifiers '' t.kld d.kld");
  CHECK(quiet.status == 0);
  CHECK(quiet.err.empty());
  CHECK(summary_of(quiet) == summary_of(ran));
}

TEST_CASE("mdsd batch: every bad llama.cpp file exits 2 with one line naming the file and the position") {
  const LlamaScratch scratch;
  const auto [target, draft] = synthetic_runs(8, 10, 3, 2.0, 7.5, 2);  // 3 rows per chunk, 9 rows
  const std::string good = target.bytes();
  scratch.write("t.kld", good);
  scratch.write("d.kld", draft.bytes());
  const std::size_t tokens_end = 20 + 4 * 24, row = 8 + 2 * 10;
  auto with = [&](std::size_t at, const std::string& bytes) {
    std::string changed = good;
    changed.replace(at, bytes.size(), bytes);
    return changed;
  };
  auto float_bytes = [](float value) {
    std::string bytes;
    put32(bytes, std::bit_cast<std::uint32_t>(value));
    return bytes;
  };
  scratch.write("magic.kld", "_logitz_" + good.substr(8));
  scratch.write("ctx-only.kld", good.substr(0, 12));
  scratch.write("half-header.kld", good.substr(0, 16));
  scratch.write("cut-tokens.kld", good.substr(0, 20 + 4 * 13));  // ends at chunk 1, position 5
  scratch.write("cut-rows.kld", good.substr(0, tokens_end + 4 * row + 7));  // ends inside row 4
  scratch.write("nan.kld", with(tokens_end + 5 * row, float_bytes(NAN)));  // row 5: chunk 1, position 7
  scratch.write("min.kld", with(tokens_end + 2 * row + 4, float_bytes(3.0f)));
  scratch.write("sum.kld", with(tokens_end + 8 * row + 8, std::string(20, '\xff')));  // row 8: every v = 65535
  scratch.write("trailing.kld", good + std::string(6, '\0'));
  scratch.write("range.kld", with(20 + 4 * 17, std::string("\x0a\0\0\0", 4)));  // token 10 at chunk 2, position 1
  std::string other_tokens = good;
  other_tokens[20 + 4 * 21] = static_cast<char>((target.tokens[21] + 1) % 10);  // chunk 2, position 5
  scratch.write("tokens.kld", other_tokens);
  const auto [wide, wide_draft] = synthetic_runs(8, 12, 3, 2.0, 7.5, 2);
  scratch.write("vocab.kld", wide.bytes());
  const auto [long_ctx, long_draft] = synthetic_runs(10, 10, 3, 2.0, 7.5, 2);
  scratch.write("ctx.kld", long_ctx.bytes());
  const auto [fewer, fewer_draft] = synthetic_runs(8, 10, 2, 2.0, 7.5, 2);
  scratch.write("chunks.kld", fewer.bytes());
  std::string big_endian = "_logits_";
  for (std::uint32_t value : {8u, 10u, 3u}) {
    for (int b = 3; b >= 0; --b) big_endian.push_back(static_cast<char>((value >> (8 * b)) & 0xff));
  }
  scratch.write("big-endian.kld", big_endian + good.substr(20));
  scratch.write("ctx2.kld", header_bytes(2, 10, 3) + good.substr(20));
  scratch.write("t.npy", std::string("\x93NUMPY\x01\x00", 8) + std::string(120, ' '));
  scratch.write("text.txt", "hello\n");

  struct Bad {
    std::string arguments;
    std::vector<std::string> parts;
  };
  for (const Bad& bad : {
           Bad{"magic.kld d.kld", {"magic.kld", "not a format"}},
           Bad{"--format llama magic.kld d.kld", {"magic.kld", "_logits_"}},
           Bad{"ctx-only.kld d.kld", {"ctx-only.kld", "after n_ctx", "2 * n_ctx"}},
           Bad{"half-header.kld d.kld", {"half-header.kld", "truncated"}},
           Bad{"t.kld cut-tokens.kld", {"cut-tokens.kld", "truncated", "chunk 1, position 5"}},
           Bad{"t.kld cut-rows.kld", {"cut-rows.kld", "truncated", "row 4 (chunk 1, position 6)"}},
           Bad{"nan.kld d.kld", {"nan.kld", "row 5 (chunk 1, position 7)", "scale", "NaN"}},
           Bad{"t.kld min.kld", {"min.kld", "row 2 (chunk 0, position 7)", "min_log_prob"}},
           Bad{"sum.kld d.kld", {"sum.kld", "row 8 (chunk 2, position 7)"}},
           Bad{"trailing.kld d.kld", {"trailing.kld", "6 bytes after the last"}},
           Bad{"range.kld d.kld", {"range.kld", "chunk 2, position 1", "10"}},
           Bad{"t.kld tokens.kld", {"tokens.kld", "t.kld", "chunk 2, position 5"}},
           Bad{"t.kld vocab.kld", {"vocab.kld", "n_vocab", "12", "10"}},
           Bad{"t.kld ctx.kld", {"ctx.kld", "n_ctx", "10", "8"}},
           Bad{"t.kld chunks.kld", {"chunks.kld", "2 chunks", "3"}},
           Bad{"big-endian.kld d.kld", {"big-endian.kld", "big-endian"}},
           Bad{"ctx2.kld d.kld", {"ctx2.kld", "n_ctx 2", "no rows"}},
           Bad{"t.kld t.npy", {"t.kld", "llama.cpp", "t.npy", ".npy"}},
           Bad{"t.kld text.txt", {"text.txt", "not a format"}},
           Bad{"t.kld", {"t.kld", "pair"}},
           Bad{"--logits t.kld d.kld", {"--logits"}},
           Bad{"--vocab 10 t.kld d.kld", {"--vocab"}},
           Bad{"--format nope t.kld d.kld", {"--format", "nope"}},
       }) {
    CAPTURE(bad.arguments);
    const Ran ran = scratch.run("batch --drafts 2 " + bad.arguments);
    CAPTURE(ran.err);
    CHECK(ran.status == 2);
    CHECK(ran.out.empty());
    CHECK(one_line(ran.err));
    CHECK(starts_with(ran.err, "mdsd: "));
    for (const std::string& part : bad.parts) CHECK_MESSAGE(contains(ran.err, part), part);
  }
  // Read through a pipe, whose size is unknown: the truncation is found at the row.
  const Ran piped = scratch.run("batch --drafts 2 --format llama d.kld /dev/stdin", "cat cut-rows.kld | ");
  CAPTURE(piped.err);
  CHECK(piped.status == 2);
  CHECK(one_line(piped.err));
  CHECK(contains(piped.err, "/dev/stdin row 4 (chunk 1, position 6)"));
  CHECK(contains(piped.err, "truncated"));
  // A pipe is read once: without --format its format is not guessed.
  const Ran unnamed = scratch.run("batch --drafts 2 d.kld /dev/stdin", "cat t.kld | ");
  CAPTURE(unnamed.err);
  CHECK(unnamed.status == 2);
  CHECK(one_line(unnamed.err));
  CHECK(contains(unnamed.err, "/dev/stdin: not a regular file"));
  CHECK(contains(unnamed.err, "--format"));
  // and a single JSON Lines file through a pipe reads as JSON Lines, from its first byte.
  scratch.write("one.jsonl", "{\"target\": [0.5, 0.5], \"draft\": [0.25, 0.75]}\n");
  const Ran jsonl = scratch.run("batch --drafts 1 --verifiers '' /dev/stdin", "cat one.jsonl | ");
  INFO(jsonl.err);
  REQUIRE(jsonl.status == 0);
  CHECK(summary_of(jsonl)["mean"]["optimal"]["with_replacement"]["alpha"].get<double>() == doctest::Approx(0.75));
}

}  // namespace mdsd::test
